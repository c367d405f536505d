import { describe, expect, it } from 'vitest';
import { SharedCounters } from './shared-counters.js';

describe('SharedCounters', () => {
  it('counts each (key, window) in fixed windows aligned to the first hit', () => {
    const counters = new SharedCounters();
    expect(counters.hit('a', 1000, 0)).toEqual({ used: 1, resetAt: 1000 });
    expect(counters.hit('a', 1000, 999)).toEqual({ used: 2, resetAt: 1000 });
    // Same key, another window length: its own count.
    expect(counters.hit('a', 5000, 500)).toEqual({ used: 1, resetAt: 5500 });
    expect(counters.hit('b', 1000, 10)).toEqual({ used: 1, resetAt: 1010 });
    // The window ended: a new one starts at this hit.
    expect(counters.hit('a', 1000, 1000)).toEqual({ used: 1, resetAt: 2000 });
  });

  it('answers a batch in order, one reply for all its hits', () => {
    const counters = new SharedCounters();
    const reply = counters.answer({ type: 'sluice:count', batchId: 7, hits: ['k', 60_000, 'k', 60_000, 'other', 1000] }, 100);
    expect(reply).toEqual({ type: 'sluice:counted', batchId: 7, windows: [1, 60_100, 2, 60_100, 1, 1100] });
    // Two workers' batches add up in the same window.
    expect(counters.answer({ type: 'sluice:count', batchId: 1, hits: ['k', 60_000] }, 200).windows).toEqual([3, 60_100]);
  });

  it('allows malformed entries without counting them or failing the batch', () => {
    const counters = new SharedCounters();
    const reply = counters.answer({ type: 'sluice:count', batchId: 1, hits: [42, 1000, 'k', -5, 'k', 1000] as never }, 0);
    expect(reply.windows).toEqual([0, 0, 0, 0, 1, 1000]);
    expect(counters.answer({ type: 'sluice:count', batchId: 2, hits: 'nope' as never }, 0).windows).toEqual([]);
    expect(counters.size).toBe(1);
  });

  it('sweeps ended windows and empty counters', () => {
    const counters = new SharedCounters();
    counters.hit('short', 1000, 0);
    counters.hit('long', 60_000, 0);
    expect(counters.size).toBe(2);
    counters.sweep(999);
    expect(counters.size).toBe(2);
    counters.sweep(1000);
    expect(counters.size).toBe(1);
    counters.sweep(60_000);
    expect(counters.size).toBe(0);
    // A swept key starts afresh.
    expect(counters.hit('long', 60_000, 70_000)).toEqual({ used: 1, resetAt: 130_000 });
  });
});
