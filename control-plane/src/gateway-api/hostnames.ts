/**
 * Gateway API hostname intersection between a listener hostname and a route's hostnames.
 * `*.foo.com` matches any number of labels before `.foo.com` (never `foo.com` itself).
 * Returns the hostnames the route is served for on that listener: [] means "any host"
 * (neither side restricts), undefined means they do not intersect.
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): string[] | undefined {
  const route = routeHostnames.map((h) => h.toLowerCase());
  const listener = listenerHostname?.toLowerCase();
  if (!listener) return route.length ? [...new Set(route)].sort() : [];
  if (route.length === 0) return [listener];
  const out = new Set<string>();
  for (const host of route) {
    if (host === listener) out.add(host);
    else if (isWildcard(listener) && !isWildcard(host) && wildcardCovers(listener, host)) out.add(host);
    else if (isWildcard(host) && !isWildcard(listener) && wildcardCovers(host, listener)) out.add(listener);
    else if (isWildcard(host) && isWildcard(listener)) {
      // Both wildcards: the narrower one is the intersection.
      if (wildcardCovers(listener, host.slice(2))) out.add(host);
      else if (wildcardCovers(host, listener.slice(2))) out.add(listener);
    }
  }
  return out.size ? [...out].sort() : undefined;
}

function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/** `*.foo.com` covers `a.foo.com` and `a.b.foo.com`. */
function wildcardCovers(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(1); // ".foo.com"
  return host.endsWith(suffix) && host.length > suffix.length;
}
