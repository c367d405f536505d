/**
 * Smooth weighted round robin (the nginx algorithm) over a fixed list: each pick adds every
 * item's weight to its score, takes the highest and subtracts the total from it, so a 90/10
 * split interleaves instead of bursting. Items with weight 0 are never picked; an empty list
 * always gives undefined.
 */
export function createSmoothWeightedPicker<T>(items: readonly T[], weightOf: (item: T) => number): () => T | undefined {
  const live = items.filter((item) => weightOf(item) > 0);
  if (live.length === 0) return () => undefined;
  if (live.length === 1) {
    const only = live[0];
    return () => only;
  }
  const weights = live.map(weightOf);
  const current = new Float64Array(live.length);
  let total = 0;
  for (const w of weights) total += w;
  return () => {
    let best = 0;
    for (let i = 0; i < live.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return live[best];
  };
}
