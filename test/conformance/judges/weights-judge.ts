// The suite's weighted-distribution and percentage-mirror rules (README §4, §9.10): pure.
import { backendOfPod } from '../pod-names.js';

/** Undefined when the pods seen match `weights` within `tolerance`, else why not. */
export function judgeWeights(pods: readonly string[], weights: Record<string, number>, tolerance: number): string | undefined {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    const backend = backendOfPod(pod);
    if (!(backend in weights)) return `reply from unexpected backend ${backend} (pod ${pod})`;
    counts.set(backend, (counts.get(backend) ?? 0) + 1);
  }
  for (const [backend, weight] of Object.entries(weights)) {
    const seen = counts.get(backend) ?? 0;
    if (weight === 0 && seen > 0) return `weight-0 backend ${backend} got ${seen} requests`;
    if (weight > 0 && seen === 0) return `backend ${backend} (weight ${weight}) got no requests`;
  }
  for (const [backend, weight] of Object.entries(weights)) {
    const seen = counts.get(backend) ?? 0;
    const share = seen / pods.length;
    if (Math.abs(share - weight) > tolerance)
      return `backend ${backend} got ${(share * 100).toFixed(1)}%, expected ${(weight * 100).toFixed(1)}% ± ${(tolerance * 100).toFixed(0)}`;
  }
  return undefined;
}

/** Mirror log lines for n requests at percent p must lie within expected ± k·sqrt(n·p·(1-p)). */
export function judgeMirrorCount(count: number, n: number, percent: number, stdDevs: number): string | undefined {
  const p = percent / 100;
  const expected = n * p;
  const margin = stdDevs * Math.sqrt(n * p * (1 - p));
  return Math.abs(count - expected) <= margin ? undefined : `mirror saw ${count} of ${n} requests, expected ${expected.toFixed(0)} ± ${margin.toFixed(1)}`;
}
