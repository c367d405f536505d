import type { InlineUpstream } from '@sluice/model';
import type { AttemptOutcome, NodeRef } from '../balancer/types.js';
import { createActiveChecker, type ActiveChecker } from './active-checker.js';
import type { HealthChangeListener } from './health-change.js';
import { createPassiveChecker, type PassiveChecker } from './passive-checker.js';

export interface NodeHealth {
  /** Healthy = not failed by active probes and not ejected by passive checks. */
  isHealthy(nodeKey: string): boolean;
  /** False only when every node is surely healthy, so callers can skip filtering. */
  anyUnhealthy(): boolean;
  /** Feeds an attempt's outcome to the passive checker. */
  record(nodeKey: string, outcome: AttemptOutcome): void;
  snapshot(): { key: string; healthy: boolean }[];
  close(): void;
}

export interface NodeHealthOptions {
  now?: () => number;
  /** Called once per overall transition of a node (not per component). */
  onChange?: HealthChangeListener;
}

/**
 * Health of one upstream's nodes, combining active probes (`checks.active`) and passive
 * ejection from real traffic (`checks.passive`, or the implicit connect-error rule when absent).
 * The implicit rule is skipped for a single-node upstream, as nginx never marks its only server
 * down: ejecting it would only turn connect errors into 503s.
 */
export function createNodeHealth(nodes: readonly NodeRef[], checks: InlineUpstream['checks'], options: NodeHealthOptions = {}): NodeHealth {
  const now = options.now ?? Date.now;
  const reported = new Map<string, boolean>(nodes.map((n) => [n.key, true]));
  let active: ActiveChecker | undefined;
  let passive: PassiveChecker | undefined;

  const overall = (key: string): boolean => (active?.isHealthy(key) ?? true) && !(passive?.peekEjected(key) ?? false);
  const componentChanged: HealthChangeListener = (key, _healthy, reason) => {
    const healthy = overall(key);
    if (reported.get(key) === healthy) return;
    reported.set(key, healthy);
    options.onChange?.(key, healthy, reason);
  };

  const pickable = nodes.filter((n) => n.weight > 0).length;
  if (checks?.passive || pickable > 1) passive = createPassiveChecker(checks?.passive, { now, onChange: componentChanged });
  if (checks?.active) active = createActiveChecker(nodes, checks.active, componentChanged);

  return {
    isHealthy: (key) => !(passive?.isEjected(key) ?? false) && (active?.isHealthy(key) ?? true),
    anyUnhealthy: () => (passive?.ejectedCount() ?? 0) > 0 || (active?.unhealthyCount() ?? 0) > 0,
    record(key, outcome): void {
      passive?.record(key, outcome);
    },
    snapshot: () => nodes.map((n) => ({ key: n.key, healthy: !(passive?.isEjected(n.key) ?? false) && (active?.isHealthy(n.key) ?? true) })),
    close(): void {
      active?.stop();
    },
  };
}
