import { createSmoothWeightedPicker } from '../balancer/smooth-weighted.js';
import type { CompiledBackend } from './route-types.js';

/** Splits requests between a route's backends by weight, interleaved (smooth weighted round robin). */
export function createBackendPicker(backends: CompiledBackend[]): () => CompiledBackend | undefined {
  return createSmoothWeightedPicker(backends, (b) => b.weight);
}
