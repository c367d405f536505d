import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDebouncer } from './debouncer.js';

describe('createDebouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once, waitMs after the last schedule', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 50, 1000);
    d.schedule();
    vi.advanceTimersByTime(40);
    d.schedule();
    vi.advanceTimersByTime(40);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs no later than maxWaitMs after the first pending schedule during a steady trickle', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 50, 1000);
    for (let t = 0; t < 1500; t += 20) {
      d.schedule();
      vi.advanceTimersByTime(20);
    }
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('flush runs only when something is pending; cancel drops it', () => {
    const run = vi.fn();
    const d = createDebouncer(run, 50, 1000);
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
