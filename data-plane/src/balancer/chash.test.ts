import { describe, expect, it } from 'vitest';
import { createChashPicker } from './chash.js';
import { toNodeRefs } from './node-refs.js';
import type { PickContext } from './types.js';

const doc = (extra: object = {}, count = 4) => ({
  id: 'u',
  type: 'chash' as const,
  nodes: Array.from({ length: count }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 8080 })),
  ...extra,
});
const ctxFor = (remoteAddress: string, headers: PickContext['headers'] = {}, url = '/', consumer?: string): PickContext => ({
  remoteAddress,
  headers,
  url,
  consumer,
});

describe('createChashPicker', () => {
  it('maps the same key to the same node, and spreads 10k keys within ±20% over 4 nodes', () => {
    const u = doc();
    const nodes = toNodeRefs(u);
    const picker = createChashPicker(nodes, u);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const ctx = ctxFor(`192.168.${i >> 8}.${i & 255}`);
      const node = picker.pick(ctx, nodes)!;
      expect(picker.pick(ctx, nodes)).toBe(node);
      counts.set(node.key, (counts.get(node.key) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan(2_000);
      expect(c).toBeLessThan(3_000);
    }
  });

  it('remaps only the removed node’s keys when a node is removed (ring rebuilt)', () => {
    const full = doc();
    const fullNodes = toNodeRefs(full);
    const before = createChashPicker(fullNodes, full);
    const reduced = { ...full, nodes: full.nodes.slice(0, 3) };
    const reducedNodes = toNodeRefs(reduced);
    const after = createChashPicker(reducedNodes, reduced);
    let moved = 0;
    let movedFromSurvivor = 0;
    for (let i = 0; i < 10_000; i++) {
      const ctx = ctxFor(`172.16.${i >> 8}.${i & 255}`);
      const a = before.pick(ctx, fullNodes)!.key;
      const b = after.pick(ctx, reducedNodes)!.key;
      if (a !== b) {
        moved++;
        if (a !== fullNodes[3].key) movedFromSurvivor++;
      }
    }
    expect(moved / 10_000).toBeLessThanOrEqual(0.3);
    expect(movedFromSurvivor).toBe(0);
  });

  it('walks clockwise to the next candidate when the hashed node is excluded', () => {
    const u = doc();
    const nodes = toNodeRefs(u);
    const picker = createChashPicker(nodes, u);
    const subset = nodes.slice(1);
    for (let i = 0; i < 2_000; i++) {
      const ctx = ctxFor(`10.9.${i >> 8}.${i & 255}`);
      const usual = picker.pick(ctx, nodes)!;
      const fallback = picker.pick(ctx, subset)!;
      expect(fallback).not.toBe(nodes[0]);
      if (usual !== nodes[0]) expect(fallback).toBe(usual);
    }
  });

  it('hashes on header, cookie, uri and consumer, falling back to remote_addr', () => {
    const spread = (u: ReturnType<typeof doc>, make: (i: number) => PickContext) => {
      const nodes = toNodeRefs(u);
      const picker = createChashPicker(nodes, u);
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const ctx = make(i);
        const node = picker.pick(ctx, nodes)!;
        // Same key from another client address: same node.
        expect(picker.pick({ ...ctx, remoteAddress: '203.0.113.9' }, nodes)).toBe(node);
        seen.add(node.key);
      }
      return seen.size;
    };
    expect(spread(doc({ hashOn: 'header', key: 'X-User' }), (i) => ctxFor(`1.1.1.${i}`, { 'x-user': `user-${i}` }))).toBe(4);
    expect(spread(doc({ hashOn: 'cookie', key: 'sid' }), (i) => ctxFor(`1.1.1.${i}`, { cookie: `a=b; sid=s${i}; c=d` }))).toBe(4);
    expect(spread(doc({ hashOn: 'uri' }), (i) => ctxFor(`1.1.1.${i}`, {}, `/item/${i}?q=1`))).toBe(4);
    expect(spread(doc({ hashOn: 'consumer' }), (i) => ctxFor(`1.1.1.${i}`, {}, '/', `consumer-${i}`))).toBe(4);

    // Missing key: the client address decides, like remote_addr.
    const byHeader = doc({ hashOn: 'header', key: 'x-user' });
    const byAddr = doc({ hashOn: 'remote_addr' });
    const n1 = toNodeRefs(byHeader);
    const n2 = toNodeRefs(byAddr);
    const p1 = createChashPicker(n1, byHeader);
    const p2 = createChashPicker(n2, byAddr);
    for (let i = 0; i < 100; i++) {
      const ctx = ctxFor(`100.64.0.${i}`);
      expect(p1.pick(ctx, n1)!.key).toBe(p2.pick(ctx, n2)!.key);
    }
  });

  it('gives heavier nodes proportionally more keys', () => {
    const u = {
      id: 'u',
      type: 'chash' as const,
      nodes: [
        { host: 'a', port: 1, weight: 1 },
        { host: 'b', port: 1, weight: 3 },
      ],
    };
    const nodes = toNodeRefs(u);
    const picker = createChashPicker(nodes, u);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (picker.pick(ctxFor(`k${i}`), nodes) === nodes[1]) heavy++;
    expect(heavy / 10_000).toBeGreaterThan(0.65);
    expect(heavy / 10_000).toBeLessThan(0.85);
  });
});
