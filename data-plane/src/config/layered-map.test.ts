import { describe, expect, it } from 'vitest';
import { LayeredMap } from './layered-map.js';

describe('LayeredMap', () => {
  it('applies puts and deletes without touching the map it came from', () => {
    const a = LayeredMap.of(
      new Map([
        ['x', 1],
        ['y', 2],
      ]),
    );
    const b = a.with(
      new Map<string, number | undefined>([
        ['y', undefined],
        ['z', 3],
        ['x', 10],
        ['missing', undefined],
      ]),
    );
    expect([...a].sort()).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect(Object.fromEntries(b)).toEqual({ x: 10, z: 3 });
    expect(b.size).toBe(2);
    expect(b.has('y')).toBe(false);
    expect(b.get('y')).toBeUndefined();
    expect([...b.keys()].sort()).toEqual(['x', 'z']);
    expect([...b.values()].sort()).toEqual([10, 3].sort());
    const seen: string[] = [];
    b.forEach((_v, k) => seen.push(k));
    expect(seen.sort()).toEqual(['x', 'z']);
  });

  it('folds a large overlay into a new base and keeps the size right', () => {
    let m = LayeredMap.empty<number>();
    for (let round = 0; round < 5; round++) {
      const changes = new Map<string, number | undefined>();
      for (let i = 0; i < 1000; i++) changes.set(`k${round * 500 + i}`, round);
      m = m.with(changes);
    }
    expect(m.size).toBe(3000);
    expect([...m].length).toBe(3000);
    expect(m.get('k2999')).toBe(4);
    expect(m.get('k0')).toBe(0);
  });

  it('returns itself for an empty change set', () => {
    const a = LayeredMap.of(new Map([['x', 1]]));
    expect(a.with(new Map())).toBe(a);
  });
});
