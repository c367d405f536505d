/**
 * Per-worker state that must outlive a recompile (rate-limit counters): a new snapshot
 * compiles new chains, and a route whose config did not change keeps its counters.
 * Keys should name the owner and the config (`limit-count|route-1|{...}`).
 */
export class PluginState {
  private readonly values = new Map<string, unknown>();

  getOrCreate<T>(key: string, create: () => T): T {
    let value = this.values.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.values.set(key, value);
    }
    return value;
  }

  /** Drops everything whose key is not in `live` (called after a compile, with the keys it used). */
  retainOnly(live: ReadonlySet<string>): void {
    for (const key of this.values.keys()) if (!live.has(key)) this.values.delete(key);
  }

  get size(): number {
    return this.values.size;
  }
}
