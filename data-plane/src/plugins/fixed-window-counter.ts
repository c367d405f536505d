interface Window {
  used: number;
  resetAt: number;
}

/** Bounds memory when many distinct keys pass by: past this, expired windows are swept. */
const SWEEP_AT = 100_000;

/** Counts hits per key in fixed windows of `windowMs`, aligned to each key's first hit. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();

  constructor(readonly windowMs: number) {}

  /** Counts one hit; returns the hits in the current window (this one included) and when it ends. */
  hit(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      if (w === undefined && this.windows.size >= SWEEP_AT) this.sweep(now);
      w = { used: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.used++;
    return w;
  }

  get size(): number {
    return this.windows.size;
  }

  /** Forgets the windows that ended by `now`. */
  sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
