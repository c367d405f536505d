/** Requests in flight per key; a key is dropped when its count is back to zero. */
export class ConnCounter {
  private readonly counts = new Map<string, number>();

  /** Counts one more in flight and returns the new count. */
  enter(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }

  leave(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  inFlight(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Keys with requests in flight. */
  get size(): number {
    return this.counts.size;
  }
}
