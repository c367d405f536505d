import type { InlineUpstream, Upstream } from '@sluice/model';
import { createNodeIndex } from './node-index.js';
import type { NodeRef, PickContext, Picker } from './types.js';

/**
 * Smooth weighted round robin (nginx): each pick adds every candidate's weight to its
 * current score, takes the highest, and subtracts the candidates' total from the winner.
 * Weights 5:1:1 give `a a b a c a a` rather than `a a a a a b c`.
 *
 * Nodes outside `candidates` (unhealthy, already tried) keep their score untouched. The
 * algorithm is smooth only while the scores of the nodes in play sum to zero, and a node
 * left out takes its share of that sum with it; so on a subset the missing sum is first
 * spread back over the candidates by weight (and again over all nodes when the full set
 * returns). A node that was skipped for a while still collects the turns it is owed first.
 * Weight-0 nodes are never picked.
 */
export function createRoundRobinPicker(nodes: readonly NodeRef[], _upstream?: Upstream | InlineUpstream): Picker {
  const current = new Float64Array(nodes.length);
  const indexOf = createNodeIndex(nodes);
  // Set after a subset pick: the full set's scores may no longer sum to zero.
  let dirty = false;

  const rebalance = (candidates: readonly NodeRef[]): void => {
    let sum = 0;
    let total = 0;
    for (const node of candidates) {
      const i = indexOf(node);
      if (i < 0 || node.weight <= 0) continue;
      sum += current[i];
      total += node.weight;
    }
    if (sum === 0 || total === 0) return;
    for (const node of candidates) {
      const i = indexOf(node);
      if (i >= 0 && node.weight > 0) current[i] -= (sum * node.weight) / total;
    }
  };

  return {
    pick(_ctx: PickContext, candidates: readonly NodeRef[]): NodeRef | undefined {
      const full = candidates === nodes;
      if (!full || dirty) rebalance(candidates);
      dirty = !full;
      let total = 0;
      let best = -1;
      let bestScore = -Infinity;
      for (let c = 0; c < candidates.length; c++) {
        const node = candidates[c];
        if (node.weight <= 0) continue;
        const i = full ? c : indexOf(node);
        if (i < 0) continue;
        current[i] += node.weight;
        total += node.weight;
        if (current[i] > bestScore) {
          bestScore = current[i];
          best = i;
        }
      }
      if (best < 0) return undefined;
      current[best] -= total;
      return nodes[best];
    },
  };
}
