/** The etcd key layout: `<prefix>/<collection>/<id>` (DESIGN.md "Documents in etcd"). */
export const DEFAULT_PREFIX = '/gateway';

export function normalizePrefix(prefix: string): string {
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function collectionPrefix(prefix: string, collection: string): string {
  return `${normalizePrefix(prefix)}/${collection}/`;
}

export function documentKey(prefix: string, collection: string, id: string): string {
  return `${collectionPrefix(prefix, collection)}${id}`;
}

/** Splits a key into collection and id; undefined for keys outside the layout. */
export function parseKey(prefix: string, key: string): { collection: string; id: string } | undefined {
  const root = `${normalizePrefix(prefix)}/`;
  if (!key.startsWith(root)) return undefined;
  const rest = key.slice(root.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  const id = rest.slice(slash + 1);
  if (id.includes('/')) return undefined;
  return { collection: rest.slice(0, slash), id };
}
