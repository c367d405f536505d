import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDebouncer } from './debouncer.js';

describe('createDebouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a lone change on the next turn, with every change scheduled before it', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 20, 1000);
    d.schedule();
    d.schedule();
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs changes that follow a run once the gap is over, all together', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 20, 1000);
    d.schedule();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(5);
    d.schedule();
    vi.advanceTimersByTime(5);
    d.schedule();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(9);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('runs a steady stream of changes once per gap, not once per change', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 20, 1000);
    for (let t = 0; t < 1000; t++) {
      d.schedule();
      vi.advanceTimersByTime(1);
    }
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(45);
    expect(run.mock.calls.length).toBeLessThanOrEqual(51);
  });

  it('widens the gap to twice the cost of an expensive run, up to the cap', () => {
    let clock = 0;
    const run = vi.fn(() => {
      clock += 300; // a 300 ms compile
    });
    const d = createDebouncer(run, 20, 1000, () => clock + Date.now());
    d.schedule();
    vi.advanceTimersByTime(0);
    d.schedule();
    vi.advanceTimersByTime(599);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('flush runs only when something is pending; cancel drops it', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 20, 1000);
    d.flush();
    expect(run).not.toHaveBeenCalled();
    d.schedule();
    d.flush();
    expect(run).toHaveBeenCalledTimes(1);
    d.schedule();
    d.cancel();
    vi.advanceTimersByTime(2000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
