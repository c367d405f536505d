import type { PassiveCheck } from '@sluice/model';
import type { AttemptOutcome } from '../balancer/types.js';
import type { HealthChangeListener } from './health-change.js';

export interface PassiveChecker {
  record(nodeKey: string, outcome: AttemptOutcome): void;
  /** True while the node is ejected; notices (and reports) the end of an ejection. */
  isEjected(nodeKey: string): boolean;
  /** Like isEjected, without side effects. */
  peekEjected(nodeKey: string): boolean;
  /** Nodes marked ejected, including ones whose time ran out but nobody asked yet. */
  ejectedCount(): number;
}

interface PassiveSettings {
  failures: number;
  ejectMs: number;
  statuses: ReadonlySet<number>;
  /** Whether an error of this kind counts as a failure. */
  countsError: (error: NonNullable<AttemptOutcome['error']>) => boolean;
}

const DEFAULT_FAILURE_STATUSES = [500, 502, 503, 504];

/**
 * Without `checks.passive` we still take a node out for 2 s after a connect error, so retries
 * and the next requests go elsewhere instead of queueing on a dead port: nginx's implicit
 * max_fails=1 (its fail_timeout of 10 s is shortened, since nothing probes the node back).
 * Only connect errors count there: a slow or failing application is not ejected unasked.
 */
const IMPLICIT: PassiveSettings = {
  failures: 1,
  ejectMs: 2_000,
  statuses: new Set(),
  countsError: (error) => error === 'connect',
};

interface NodeState {
  failures: number;
  ejectedUntil: number;
}

/**
 * Ejects a node after `failures` consecutive failed attempts of real traffic (an error, a
 * timeout, or a listed status) for `ejectSeconds`. Then it is half-open: eligible again, but
 * one more failure ejects it again, while a success resets the count.
 */
export function createPassiveChecker(passive: PassiveCheck | undefined, options: { now: () => number; onChange: HealthChangeListener }): PassiveChecker {
  const settings: PassiveSettings = passive
    ? {
        failures: passive.failures ?? 3,
        ejectMs: (passive.ejectSeconds ?? 10) * 1000,
        statuses: new Set(passive.httpStatuses ?? DEFAULT_FAILURE_STATUSES),
        countsError: () => true,
      }
    : IMPLICIT;
  const { now, onChange } = options;
  const states = new Map<string, NodeState>();
  let ejected = 0;

  const stateOf = (key: string): NodeState => {
    let state = states.get(key);
    if (!state) states.set(key, (state = { failures: 0, ejectedUntil: 0 }));
    return state;
  };

  const isEjected = (key: string): boolean => {
    const state = states.get(key);
    if (!state || state.ejectedUntil === 0) return false;
    if (now() < state.ejectedUntil) return true;
    state.ejectedUntil = 0;
    state.failures = settings.failures - 1;
    ejected--;
    onChange(key, true, 'passive: ejection time over');
    return false;
  };

  return {
    record(key, outcome): void {
      const failed = outcome.error !== undefined ? settings.countsError(outcome.error) : outcome.status !== undefined && settings.statuses.has(outcome.status);
      const state = states.get(key);
      if (!failed) {
        // Successes on a never-failed node cost nothing (no state is allocated).
        if (!state) return;
        if (state.ejectedUntil !== 0) isEjected(key);
        if (state.ejectedUntil === 0) state.failures = 0;
        return;
      }
      if (isEjected(key)) return; // An attempt that started before the ejection.
      const s = state ?? stateOf(key);
      s.failures++;
      if (s.failures >= settings.failures) {
        s.ejectedUntil = now() + settings.ejectMs;
        s.failures = 0;
        ejected++;
        const what = outcome.error ?? `status ${outcome.status}`;
        onChange(key, false, `passive: ${settings.failures} consecutive failures (last: ${what})`);
      }
    },
    isEjected,
    peekEjected: (key) => {
      const state = states.get(key);
      return state !== undefined && state.ejectedUntil !== 0 && now() < state.ejectedUntil;
    },
    ejectedCount: () => ejected,
  };
}
