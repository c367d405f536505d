import { describe, expect, it } from 'vitest';
import { toNodeRefs } from './node-refs.js';
import { createRoundRobinPicker } from './round-robin.js';
import type { PickContext } from './types.js';

const ctx: PickContext = { remoteAddress: '127.0.0.1', headers: {}, url: '/' };
const upstream = (weights: number[]) => ({ id: 'u', nodes: weights.map((weight, i) => ({ host: `n${i}`, port: 80, weight })) });

describe('createRoundRobinPicker', () => {
  it('splits 600 picks over weights 1:2:3 exactly 100/200/300', () => {
    const doc = upstream([1, 2, 3]);
    const nodes = toNodeRefs(doc);
    const picker = createRoundRobinPicker(nodes, doc);
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const key = picker.pick(ctx, nodes)!.key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.entries()].sort()).toEqual([
      ['n0:80', 100],
      ['n1:80', 200],
      ['n2:80', 300],
    ]);
  });

  it('is smooth: weights 5:1:1 give the nginx sequence a a b a c a a', () => {
    const doc = upstream([5, 1, 1]);
    const nodes = toNodeRefs(doc);
    const picker = createRoundRobinPicker(nodes, doc);
    const names = { 'n0:80': 'a', 'n1:80': 'b', 'n2:80': 'c' } as Record<string, string>;
    const seq = Array.from({ length: 14 }, () => names[picker.pick(ctx, nodes)!.key]).join(' ');
    expect(seq).toBe('a a b a c a a a a b a c a a');
  });

  it('stays smooth and exact among a subset of candidates', () => {
    const doc = upstream([1, 1, 2, 5]);
    const nodes = toNodeRefs(doc);
    const picker = createRoundRobinPicker(nodes, doc);
    // Warm up on the full set, then drop the heaviest node.
    for (let i = 0; i < 7; i++) picker.pick(ctx, nodes);
    const subset = nodes.slice(0, 3);
    const seq = Array.from({ length: 400 }, () => picker.pick(ctx, subset)!.key);
    expect(seq).not.toContain('n3:80');
    const count = (k: string) => seq.filter((s) => s === k).length;
    // The excluded node keeps its score, so the subset starts off-balance by at most one pick.
    expect(Math.abs(count('n0:80') - 100)).toBeLessThanOrEqual(1);
    expect(Math.abs(count('n1:80') - 100)).toBeLessThanOrEqual(1);
    expect(Math.abs(count('n2:80') - 200)).toBeLessThanOrEqual(1);
    // Once it has collected the turns it was owed, weight 2 of 4 never runs more than 2 in a row.
    expect(seq.slice(8).join(',')).not.toContain('n2:80,n2:80,n2:80');
    // And when the node comes back, the full set is exact again.
    const back = Array.from({ length: 900 }, () => picker.pick(ctx, nodes)!.key);
    expect(Math.abs(back.filter((k) => k === 'n3:80').length - 500)).toBeLessThanOrEqual(2);
    expect(back.slice(18).join(',')).not.toMatch(/n0:80,n0:80|n1:80,n1:80/);
  });

  it('is smooth on a subset from the start: 5:1:1 with a fourth node excluded', () => {
    const doc = upstream([5, 1, 1, 3]);
    const nodes = toNodeRefs(doc);
    const picker = createRoundRobinPicker(nodes, doc);
    const names = { 'n0:80': 'a', 'n1:80': 'b', 'n2:80': 'c' } as Record<string, string>;
    const subset = nodes.slice(0, 3);
    expect(Array.from({ length: 7 }, () => names[picker.pick(ctx, subset)!.key]).join(' ')).toBe('a a b a c a a');
  });

  it('never picks weight-0 nodes and returns undefined for no candidates', () => {
    const doc = upstream([0, 1]);
    const nodes = toNodeRefs(doc);
    const picker = createRoundRobinPicker(nodes, doc);
    for (let i = 0; i < 10; i++) expect(picker.pick(ctx, nodes)!.key).toBe('n1:80');
    expect(picker.pick(ctx, [])).toBeUndefined();
    expect(picker.pick(ctx, [nodes[0]])).toBeUndefined();
  });
});
