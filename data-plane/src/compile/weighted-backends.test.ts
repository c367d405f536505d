import { describe, expect, it } from 'vitest';
import type { CompiledBackend } from './types.js';
import { createBackendPicker } from './weighted-backends.js';

const backend = (id: string, weight: number) => ({ upstream: { id, nodes: [] }, weight }) as unknown as CompiledBackend;

describe('createBackendPicker', () => {
  it('splits by weight exactly over a full cycle and interleaves (smooth)', () => {
    const pick = createBackendPicker([backend('a', 3), backend('b', 1)]);
    // nginx's smooth weighted round robin for 3:1 gives a a b a, repeating.
    expect(Array.from({ length: 8 }, () => pick()!.upstream.id).join('')).toBe('aabaaaba');
    const picks = Array.from({ length: 400 }, () => pick()!.upstream.id);
    expect(picks.filter((x) => x === 'a')).toHaveLength(300);
    expect(picks.filter((x) => x === 'b')).toHaveLength(100);
    // Never two b's in a row with 3:1.
    expect(picks.join('')).not.toContain('bb');
  });

  it('skips zero weights and returns undefined when nothing can serve', () => {
    expect(createBackendPicker([backend('a', 0)])()).toBeUndefined();
    expect(createBackendPicker([])()).toBeUndefined();
    const pick = createBackendPicker([backend('a', 0), backend('b', 2)]);
    expect(new Set(Array.from({ length: 10 }, () => pick()!.upstream.id))).toEqual(new Set(['b']));
  });
});
