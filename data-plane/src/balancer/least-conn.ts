import type { InlineUpstream, Upstream } from '@sluice/model';
import { createNodeIndex } from './node-index.js';
import type { AttemptOutcome, NodeRef, PickContext, Picker } from './types.js';

/**
 * Fewest active attempts relative to weight (active / weight). Ties rotate: the scan starts
 * one candidate further on each pick, so idle equal nodes share load round-robin.
 */
export function createLeastConnPicker(nodes: readonly NodeRef[], _upstream?: Upstream | InlineUpstream): Picker {
  const active = new Int32Array(nodes.length);
  const indexOf = createNodeIndex(nodes);
  let cursor = 0;

  return {
    pick(_ctx: PickContext, candidates: readonly NodeRef[]): NodeRef | undefined {
      const n = candidates.length;
      if (n === 0) return undefined;
      const full = candidates === nodes;
      const start = cursor++ % n;
      if (cursor >= 0x3fffffff) cursor = 0;
      let best: NodeRef | undefined;
      let bestActive = 0;
      for (let k = 0; k < n; k++) {
        const c = (start + k) % n;
        const node = candidates[c];
        if (node.weight <= 0) continue;
        const i = full ? c : indexOf(node);
        if (i < 0) continue;
        // Compare active_a / weight_a < active_b / weight_b without dividing.
        if (best === undefined || active[i] * best.weight < bestActive * node.weight) {
          best = node;
          bestActive = active[i];
        }
      }
      return best;
    },
    onStart(node: NodeRef): void {
      const i = indexOf(node);
      if (i >= 0) active[i]++;
    },
    onEnd(node: NodeRef, _outcome: AttemptOutcome): void {
      const i = indexOf(node);
      if (i >= 0 && active[i] > 0) active[i]--;
    },
  };
}
