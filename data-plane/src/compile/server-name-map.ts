/**
 * Values keyed by TLS server name: exact names, `*.suffix` wildcards and an optional default.
 * An exact name beats a wildcard; among wildcards the longest suffix wins (`*.b.example.com`
 * before `*.example.com`), and `*.example.com` also covers deeper names such as
 * `a.b.example.com`, as Gateway API hostnames do. Names are compared lower-cased.
 */
export class ServerNameMap<T> {
  private readonly exact = new Map<string, T>();
  /** Keyed by the suffix with its leading dot: `*.example.com` → `.example.com`. */
  private readonly wildcard = new Map<string, T>();
  private fallback: T | undefined = undefined;

  /** Adds a name (`*` = the default); false when the name is already taken (the first one stays). */
  add(name: string, value: T): boolean {
    const n = name.toLowerCase();
    if (n === '*') {
      if (this.fallback !== undefined) return false;
      this.fallback = value;
      return true;
    }
    const [map, key] = n.startsWith('*.') ? [this.wildcard, n.slice(1)] : [this.exact, n];
    if (map.has(key)) return false;
    map.set(key, value);
    return true;
  }

  setDefault(value: T): boolean {
    return this.add('*', value);
  }

  get default(): T | undefined {
    return this.fallback;
  }

  /** The value for a server name (undefined name = a client that sent no SNI → the default). */
  lookup(serverName: string | undefined): T | undefined {
    if (serverName === undefined || serverName === '') return this.fallback;
    const name = serverName.toLowerCase();
    const hit = this.exact.get(name);
    if (hit !== undefined) return hit;
    if (this.wildcard.size > 0) {
      for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
        const found = this.wildcard.get(name.slice(dot));
        if (found !== undefined) return found;
      }
    }
    return this.fallback;
  }

  get size(): number {
    return this.exact.size + this.wildcard.size + (this.fallback === undefined ? 0 : 1);
  }
}
