import type { CompiledBackend } from './types.js';

/**
 * Returns a picker that splits requests between backends by weight with smooth weighted
 * round robin (the nginx algorithm), so a 90/10 split interleaves instead of bursting.
 */
export function createBackendPicker(backends: CompiledBackend[]): () => CompiledBackend | undefined {
  const live = backends.filter((b) => b.weight > 0);
  if (live.length === 0) return () => undefined;
  if (live.length === 1) {
    const only = live[0];
    return () => only;
  }
  const current = new Float64Array(live.length);
  let total = 0;
  for (const b of live) total += b.weight;
  return () => {
    let best = 0;
    for (let i = 0; i < live.length; i++) {
      current[i] += live[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return live[best];
  };
}
