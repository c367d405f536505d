import type { ActiveCheck } from '@sluice/model';
import { resolveActiveCheck } from './active-check-settings.js';
import type { HealthChangeListener } from './health-change.js';
import { probeNode, type ProbeResult, type ProbeTarget } from './probe-node.js';

export interface ActiveChecker {
  isHealthy(nodeKey: string): boolean;
  /** Nodes the probes currently call unhealthy (lets the runtime skip filtering when 0). */
  unhealthyCount(): number;
  /** Clears every timer and aborts probes in flight. */
  stop(): void;
}

interface ProbeState {
  target: ProbeTarget;
  healthy: boolean;
  successes: number;
  httpFailures: number;
  tcpFailures: number;
  timeouts: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Probes every node on its own timer: `healthy.interval` while healthy, `unhealthy.interval`
 * while not, one probe in flight per node at most. Nodes start healthy (as in nginx and
 * APISIX) so a fresh upstream serves before the first probe answers. `healthy.successes`
 * consecutive OKs mark a node healthy; `httpFailures` / `tcpFailures` / `timeouts`
 * consecutive failures of that kind mark it unhealthy. Timers are unref'd: probes never
 * keep the process alive.
 */
export function createActiveChecker(targets: readonly ProbeTarget[], check: ActiveCheck, onChange: HealthChangeListener): ActiveChecker {
  const settings = resolveActiveCheck(check);
  const abort = new AbortController();
  const states = new Map<string, ProbeState>();
  let unhealthy = 0;
  let stopped = false;

  const schedule = (state: ProbeState, delayMs: number): void => {
    if (stopped) return;
    state.timer = setTimeout(() => void run(state), delayMs);
    state.timer.unref();
  };

  const run = async (state: ProbeState): Promise<void> => {
    state.timer = undefined;
    let result: ProbeResult;
    try {
      result = await probeNode(state.target, settings, abort.signal);
    } catch (err) {
      result = { kind: 'tcp-failure', error: String(err) };
    }
    if (stopped) return;
    apply(state, result);
    schedule(state, state.healthy ? settings.healthy.intervalMs : settings.unhealthy.intervalMs);
  };

  const setHealthy = (state: ProbeState, healthy: boolean, reason: string): void => {
    state.healthy = healthy;
    state.successes = state.httpFailures = state.tcpFailures = state.timeouts = 0;
    unhealthy += healthy ? -1 : 1;
    onChange(state.target.key, healthy, reason);
  };

  const apply = (state: ProbeState, result: ProbeResult): void => {
    switch (result.kind) {
      case 'success':
        state.httpFailures = state.tcpFailures = state.timeouts = 0;
        state.successes++;
        if (!state.healthy && state.successes >= settings.healthy.successes) setHealthy(state, true, `active: ${state.successes} successful probes`);
        return;
      case 'neutral':
        return;
      case 'http-failure':
        state.successes = 0;
        state.httpFailures++;
        if (state.healthy && state.httpFailures >= settings.unhealthy.httpFailures)
          setHealthy(state, false, `active: ${state.httpFailures} probes answered ${result.status}`);
        return;
      case 'tcp-failure':
        state.successes = 0;
        state.tcpFailures++;
        if (state.healthy && state.tcpFailures >= settings.unhealthy.tcpFailures)
          setHealthy(state, false, `active: ${state.tcpFailures} probes failed (${result.error})`);
        return;
      case 'timeout':
        state.successes = 0;
        state.timeouts++;
        if (state.healthy && state.timeouts >= settings.unhealthy.timeouts) setHealthy(state, false, `active: ${state.timeouts} probes timed out`);
        return;
    }
  };

  for (const target of targets) {
    if (states.has(target.key)) continue;
    const state: ProbeState = { target, healthy: true, successes: 0, httpFailures: 0, tcpFailures: 0, timeouts: 0, timer: undefined };
    states.set(target.key, state);
    schedule(state, 0);
  }

  return {
    isHealthy: (nodeKey) => states.get(nodeKey)?.healthy ?? true,
    unhealthyCount: () => unhealthy,
    stop(): void {
      stopped = true;
      abort.abort();
      for (const state of states.values()) clearTimeout(state.timer);
    },
  };
}
