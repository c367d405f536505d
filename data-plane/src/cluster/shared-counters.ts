import { FixedWindowCounter } from '../plugins/fixed-window-counter.js';
import type { CountReply, CountRequest } from './count-messages.js';

/** How often windows that ended are forgotten, so keys seen once do not stay forever. */
const SWEEP_EVERY_MS = 30_000;

/**
 * The data-plane instance's own fixed-window counters, kept by the primary so that
 * limit-count `policy: local` is exact across all workers: each worker sends its hits here
 * (batched, see instance-window-counter.ts) and counts nothing itself. Same semantics as the
 * in-process FixedWindowCounter, one per window length; the state outlives worker restarts.
 */
export class SharedCounters {
  private readonly byWindow = new Map<number, FixedWindowCounter>();
  private sweeper: NodeJS.Timeout | undefined;

  /** Counts one hit of `key` in windows of `windowMs`. */
  hit(key: string, windowMs: number, now: number): { used: number; resetAt: number } {
    let counter = this.byWindow.get(windowMs);
    if (counter === undefined) {
      counter = new FixedWindowCounter(windowMs);
      this.byWindow.set(windowMs, counter);
    }
    return counter.hit(key, now);
  }

  /** Counts a worker's batch and builds the reply, in the same order. Malformed entries get a fail-open window. */
  answer(request: CountRequest, now = Date.now()): CountReply {
    const hits = Array.isArray(request.hits) ? request.hits : [];
    const windows: number[] = new Array(hits.length);
    for (let i = 0; i + 1 < hits.length; i += 2) {
      const key = hits[i];
      const windowMs = hits[i + 1];
      if (typeof key !== 'string' || typeof windowMs !== 'number' || !(windowMs > 0)) {
        // used 0 never exceeds a count: a bad entry is allowed, not fatal to the batch.
        windows[i] = 0;
        windows[i + 1] = now;
        continue;
      }
      const w = this.hit(key, windowMs, now);
      windows[i] = w.used;
      windows[i + 1] = w.resetAt;
    }
    return { type: 'sluice:counted', batchId: request.batchId, windows };
  }

  /** Forgets ended windows, and counters left empty. */
  sweep(now = Date.now()): void {
    for (const [windowMs, counter] of this.byWindow) {
      counter.sweep(now);
      if (counter.size === 0) this.byWindow.delete(windowMs);
    }
  }

  /** Keys currently counted, across window lengths. */
  get size(): number {
    let n = 0;
    for (const counter of this.byWindow.values()) n += counter.size;
    return n;
  }

  /** Sweeps in the background until `close()`; never keeps the process alive. */
  startSweeping(everyMs = SWEEP_EVERY_MS): this {
    this.sweeper ??= setInterval(() => this.sweep(), everyMs).unref();
    return this;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

export function isCountRequest(msg: unknown): msg is CountRequest {
  return (msg as CountRequest | undefined)?.type === 'sluice:count';
}
