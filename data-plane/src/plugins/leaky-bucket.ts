interface Bucket {
  /** Requests over the rate still in the bucket at `last`. */
  excess: number;
  last: number;
}

/** Bounds memory when many distinct keys pass by: past this, drained buckets are swept. */
const SWEEP_AT = 100_000;

/**
 * nginx limit_req's leaky bucket per key: the bucket drains `rate` requests per second; a
 * request adds one. Over `burst` in the bucket the request is refused and adds nothing.
 */
export class LeakyBucket {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    /** Requests per second. */
    readonly rate: number,
    readonly burst: number,
  ) {}

  /** Takes one request: the milliseconds it should wait (0 within the rate), or -1 when refused. */
  take(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      this.buckets.set(key, { excess: 0, last: now });
      return 0;
    }
    // As nginx: what drained since the last request goes, this request comes in.
    const excess = Math.max(b.excess - (this.rate * (now - b.last)) / 1000 + 1, 0);
    if (excess > this.burst) return -1;
    b.excess = excess;
    b.last = now;
    return (excess * 1000) / this.rate;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (b.excess - (this.rate * (now - b.last)) / 1000 <= 0) this.buckets.delete(key);
  }
}
