import { describe, expect, it } from 'vitest';
import { createLeastConnPicker } from './least-conn.js';
import { toNodeRefs } from './node-refs.js';
import type { PickContext } from './types.js';

const ctx: PickContext = { remoteAddress: '127.0.0.1', headers: {}, url: '/' };
const doc = (weights: number[]) => ({ id: 'u', type: 'least_conn' as const, nodes: weights.map((weight, i) => ({ host: `n${i}`, port: 80, weight })) });

describe('createLeastConnPicker', () => {
  it('picks the node with the fewest active attempts', () => {
    const u = doc([1, 1, 1]);
    const nodes = toNodeRefs(u);
    const picker = createLeastConnPicker(nodes, u);
    picker.onStart!(nodes[0]);
    picker.onStart!(nodes[0]);
    picker.onStart!(nodes[2]);
    for (let i = 0; i < 5; i++) expect(picker.pick(ctx, nodes)).toBe(nodes[1]);
    picker.onStart!(nodes[1]);
    picker.onStart!(nodes[1]);
    expect(picker.pick(ctx, nodes)).toBe(nodes[2]);
    picker.onEnd!(nodes[0], { status: 200, latencyMs: 1 });
    picker.onEnd!(nodes[0], { status: 200, latencyMs: 1 });
    expect(picker.pick(ctx, nodes)).toBe(nodes[0]);
  });

  it('weighs active attempts by weight', () => {
    const u = doc([1, 4]);
    const nodes = toNodeRefs(u);
    const picker = createLeastConnPicker(nodes, u);
    // Simulate sticky in-flight load: each pick starts an attempt that never ends.
    const counts = [0, 0];
    for (let i = 0; i < 50; i++) {
      const node = picker.pick(ctx, nodes)!;
      picker.onStart!(node);
      counts[nodes.indexOf(node)]++;
    }
    expect(counts).toEqual([10, 40]);
  });

  it('rotates between idle nodes and respects candidates', () => {
    const u = doc([1, 1, 1]);
    const nodes = toNodeRefs(u);
    const picker = createLeastConnPicker(nodes, u);
    const seen = new Set(Array.from({ length: 3 }, () => picker.pick(ctx, nodes)!.key));
    expect(seen.size).toBe(3);
    const subset = [nodes[0], nodes[2]];
    picker.onStart!(nodes[0]);
    expect(picker.pick(ctx, subset)).toBe(nodes[2]);
    expect(picker.pick(ctx, [])).toBeUndefined();
  });

  it('never lets a counter go negative', () => {
    const u = doc([1, 1]);
    const nodes = toNodeRefs(u);
    const picker = createLeastConnPicker(nodes, u);
    picker.onEnd!(nodes[0], { error: 'connect', latencyMs: 1 });
    picker.onStart!(nodes[1]);
    expect(picker.pick(ctx, nodes)).toBe(nodes[0]);
  });
});
