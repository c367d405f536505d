import type { NodeRef } from './types.js';

/**
 * Maps a NodeRef back to its position in the picker's node list, so per-node state can live
 * in flat arrays. Identity first (the runtime passes its own NodeRefs); the key is a fallback
 * for callers that rebuilt equal refs.
 */
export function createNodeIndex(nodes: readonly NodeRef[]): (node: NodeRef) => number {
  const byRef = new Map<NodeRef, number>();
  const byKey = new Map<string, number>();
  nodes.forEach((n, i) => {
    byRef.set(n, i);
    if (!byKey.has(n.key)) byKey.set(n.key, i);
  });
  return (node) => byRef.get(node) ?? byKey.get(node.key) ?? -1;
}
