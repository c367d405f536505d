import type { PathMatch, RouteMatch, ValueMatch } from '@sluice/model';

/** HTTPRoute match → route match fields (hosts and the precedence key are added by the caller). */
export function httpMatch(m: any): { match: Omit<RouteMatch, 'hosts' | 'priority'>; path: PathMatch } {
  const path = httpPath(m?.path);
  const match: Omit<RouteMatch, 'hosts' | 'priority'> = { paths: [path] };
  const headers = valueMatches(m?.headers, true);
  const query = valueMatches(m?.queryParams, false);
  if (headers.length) match.headers = headers;
  if (query.length) match.query = query;
  if (m?.method) match.methods = [m.method];
  return { match, path };
}

/** PathPrefix ignores a trailing slash (`/foo/` matches `/foo`); our prefix is segment-aware already. */
function httpPath(p: any): PathMatch {
  const type = p?.type ?? 'PathPrefix';
  const value: string = p?.value ?? '/';
  if (type === 'Exact') return { type: 'exact', value };
  if (type === 'RegularExpression') return { type: 'regex', value };
  return { type: 'prefix', value: value.length > 1 ? value.replace(/\/+$/, '') || '/' : value };
}

/** Header / query conditions; a repeated name keeps the first (spec), header names case-insensitively. */
function valueMatches(list: any[] | undefined, caseInsensitive: boolean): ValueMatch[] {
  const seen = new Set<string>();
  const out: ValueMatch[] = [];
  for (const h of list ?? []) {
    const key = caseInsensitive ? String(h?.name).toLowerCase() : String(h?.name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: String(h.name), type: h.type === 'RegularExpression' ? 'regex' : 'exact', value: String(h.value ?? '') });
  }
  return out;
}

/**
 * GRPCRoute match → an HTTP/2 path on `/<service>/<method>`: both → exact; service only →
 * prefix `/<service>`; method only → regex; RegularExpression → regex over both parts.
 */
export function grpcMatch(m: any): { match: Omit<RouteMatch, 'hosts' | 'priority'>; path: PathMatch } {
  const method = m?.method ?? {};
  const service: string | undefined = method.service || undefined;
  const name: string | undefined = method.method || undefined;
  let path: PathMatch;
  if (method.type === 'RegularExpression') path = { type: 'regex', value: `/${service ?? '[^/]+'}/${name ?? '[^/]+'}` };
  else if (service && name) path = { type: 'exact', value: `/${service}/${name}` };
  else if (service) path = { type: 'prefix', value: `/${service}` };
  else if (name) path = { type: 'regex', value: `/[^/]+/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` };
  else path = { type: 'prefix', value: '/' };
  const match: Omit<RouteMatch, 'hosts' | 'priority'> = { paths: [path] };
  const headers = valueMatches(m?.headers, true);
  if (headers.length) match.headers = headers;
  return { match, path };
}
