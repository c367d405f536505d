import type { InlineUpstream, Upstream } from '@sluice/model';
import { createNodeIndex } from './node-index.js';
import type { AttemptOutcome, NodeRef, PickContext, Picker } from './types.js';

/** Decay time constant of the latency average (Finagle / APISIX use ~10 s). */
const DECAY_MS = 10_000;
/**
 * Latency charged for a failed attempt. Errors and 5xx answers often come back fast; without
 * a penalty a broken node would look like the quickest one and draw all the traffic.
 */
const FAILURE_PENALTY_MS = 5_000;

export interface EwmaOptions {
  now?: () => number;
  random?: () => number;
}

/**
 * Peak-EWMA: each node's latency average jumps up to any slower sample at once and decays
 * back over ~10 s; its cost is that average × (active + 1). Power of two choices: two random
 * candidates, the cheaper wins, so the load spreads instead of stampeding the single best node.
 * Averages also decay while a node is not picked, which is what brings a once-slow node back
 * to be sampled again.
 */
export function createEwmaPicker(nodes: readonly NodeRef[], _upstream?: Upstream | InlineUpstream, options: EwmaOptions = {}): Picker {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const indexOf = createNodeIndex(nodes);
  const latency = new Float64Array(nodes.length);
  const updatedAt = new Float64Array(nodes.length);
  const active = new Int32Array(nodes.length);

  const decayed = (i: number, at: number): number => {
    const elapsed = Math.max(0, at - updatedAt[i]);
    return latency[i] * Math.exp(-elapsed / DECAY_MS);
  };
  const cost = (node: NodeRef, at: number): number => {
    const i = indexOf(node);
    if (i < 0) return Infinity;
    return (decayed(i, at) + 1) * (active[i] + 1);
  };

  return {
    pick(_ctx: PickContext, candidates: readonly NodeRef[]): NodeRef | undefined {
      const n = candidates.length;
      if (n === 0) return undefined;
      if (n === 1) return candidates[0].weight > 0 ? candidates[0] : undefined;
      let a = Math.floor(random() * n);
      let b = Math.floor(random() * (n - 1));
      if (b >= a) b++;
      if (candidates[a].weight <= 0) a = b;
      if (candidates[b].weight <= 0) b = a;
      const first = candidates[a];
      const second = candidates[b];
      if (first.weight <= 0) return candidates.find((c) => c.weight > 0);
      const at = now();
      return cost(second, at) < cost(first, at) ? second : first;
    },
    onStart(node: NodeRef): void {
      const i = indexOf(node);
      if (i >= 0) active[i]++;
    },
    onEnd(node: NodeRef, outcome: AttemptOutcome): void {
      const i = indexOf(node);
      if (i < 0) return;
      if (active[i] > 0) active[i]--;
      const failed = outcome.error !== undefined || (outcome.status !== undefined && outcome.status >= 500);
      const sample = failed ? Math.max(outcome.latencyMs, FAILURE_PENALTY_MS) : Math.max(0, outcome.latencyMs);
      const at = now();
      const keep = Math.exp(-Math.max(0, at - updatedAt[i]) / DECAY_MS);
      // Peak: a slower sample replaces the average at once; faster ones blend in with time.
      latency[i] = sample > latency[i] ? sample : latency[i] * keep + sample * (1 - keep);
      updatedAt[i] = at;
    },
  };
}
