import { describe, expect, it } from 'vitest';
import { createEwmaPicker } from './ewma.js';
import { toNodeRefs } from './node-refs.js';
import type { PickContext } from './types.js';

const ctx: PickContext = { remoteAddress: '127.0.0.1', headers: {}, url: '/' };

/** A seeded PRNG (mulberry32) so the simulation is deterministic. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createEwmaPicker', () => {
  const u = {
    id: 'u',
    type: 'ewma' as const,
    nodes: [
      { host: 'fast', port: 1 },
      { host: 'slow', port: 1 },
      { host: 'mid', port: 1 },
    ],
  };

  it('sends most traffic to the fast node while still sampling the others', () => {
    const nodes = toNodeRefs(u);
    let clock = 1_000_000;
    const picker = createEwmaPicker(nodes, u, { now: () => clock, random: seeded(42) });
    const latencyOf: Record<string, number> = { 'fast:1': 5, 'slow:1': 200, 'mid:1': 50 };
    const counts: Record<string, number> = { 'fast:1': 0, 'slow:1': 0, 'mid:1': 0 };
    // One request every 50 ms of simulated time for 5 minutes, sequential.
    for (let i = 0; i < 6_000; i++) {
      const node = picker.pick(ctx, nodes)!;
      counts[node.key]++;
      picker.onStart!(node);
      clock += latencyOf[node.key];
      picker.onEnd!(node, { status: 200, latencyMs: latencyOf[node.key] });
      clock += 50;
    }
    expect(counts['fast:1']).toBeGreaterThan(counts['mid:1']);
    expect(counts['mid:1']).toBeGreaterThan(counts['slow:1']);
    expect(counts['fast:1'] / 6_000).toBeGreaterThan(0.6);
    expect(counts['slow:1']).toBeGreaterThan(0);
  });

  it('treats failures as a high latency and prefers idle nodes', () => {
    const two = { ...u, nodes: u.nodes.slice(0, 2) };
    const nodes = toNodeRefs(two);
    let clock = 1_000_000;
    const picker = createEwmaPicker(nodes, two, { now: () => clock, random: seeded(7) });
    picker.onStart!(nodes[0]);
    picker.onEnd!(nodes[0], { error: 'connect', latencyMs: 1 });
    picker.onStart!(nodes[1]);
    picker.onEnd!(nodes[1], { status: 200, latencyMs: 100 });
    clock += 10;
    for (let i = 0; i < 20; i++) expect(picker.pick(ctx, nodes)).toBe(nodes[1]);

    // Equal latency: the one with fewer attempts in flight wins.
    const fresh = createEwmaPicker(nodes, two, { now: () => clock, random: seeded(9) });
    fresh.onStart!(nodes[1]);
    for (let i = 0; i < 20; i++) expect(fresh.pick(ctx, nodes)).toBe(nodes[0]);
    expect(fresh.pick(ctx, [])).toBeUndefined();
    expect(fresh.pick(ctx, [nodes[1]])).toBe(nodes[1]);
  });
});
