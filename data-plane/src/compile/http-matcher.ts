import type { RouteEntry, HttpMatcher, MatchInput } from './route-types.js';
import { normalizeHost } from './normalize-host.js';
import { normalizePrefix, PathTable } from './path-table.js';
import { RequestView } from './request-view.js';
import { compileRouteCandidate, MethodBits, type RouteCandidate } from './route-candidate.js';
import { compileWholeRegex, InvalidMatchError } from './value-predicate.js';

/** A route left out of the table because part of its match cannot compile (e.g. a bad regex). */
export interface RejectedRoute<T extends RouteEntry> {
  entry: T;
  reason: string;
}

export interface CompiledHttpMatcher<T extends RouteEntry> extends HttpMatcher<T> {
  /** Routes left out, each with the reason; the rest of the table still applies. */
  readonly rejected: readonly RejectedRoute<T>[];
}

/** Owners whose routes follow the Gateway API's precedence (a method match before header counts). */
const GATEWAY_API_ROUTE_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute']);

/**
 * Compiles routes into an immutable matcher (DESIGN.md "Route" and "Data plane rules").
 *
 * Host tiers come first: the request's exact host, then wildcard suffixes from the longest
 * (`*.b.foo.com` before `*.foo.com`), then host-less routes; a less specific tier is tried
 * only when nothing in the more specific one matches. Within a tier a PathTable applies
 * path specificity and pre-sorted candidate lists apply the rest of the precedence key
 * (a matcher made only of Gateway API routes ranks a method match before header counts).
 * `match` returns the very entry object it was given. Disabled routes are skipped.
 */
export function compileHttpMatcher<T extends RouteEntry>(entries: readonly T[]): CompiledHttpMatcher<T> {
  const exactHosts = new Map<string, PathTable<T>>();
  /** Wildcard suffix without the `*.` (`*.foo.com` → `foo.com`). */
  const wildcardHosts = new Map<string, PathTable<T>>();
  const anyHost = new PathTable<T>();
  const methodBits = new MethodBits();
  const rejected: RejectedRoute<T>[] = [];
  let size = 0;
  // Gateway listeners serve only their HTTPRoute/GRPCRoute documents: rank those the spec's way.
  const methodFirst = entries.length > 0 && entries.every((e) => GATEWAY_API_ROUTE_KINDS.has(e.route.owner?.kind ?? ''));

  for (const entry of entries) {
    if (entry.route.status === 'disabled') continue;
    let candidate: RouteCandidate<T>;
    let paths: CompiledPath[];
    try {
      candidate = compileRouteCandidate(entry, methodBits, methodFirst);
      paths = compilePaths(entry);
    } catch (err) {
      if (!(err instanceof InvalidMatchError)) throw err;
      rejected.push({ entry, reason: err.message });
      continue;
    }
    size++;
    for (const table of tablesOf(entry, exactHosts, wildcardHosts, anyHost)) {
      for (const path of paths) {
        if (path.kind === 'exact') table.addExact(path.value, candidate);
        else if (path.kind === 'prefix') table.addPrefix(path.value, candidate);
        else table.addRegex(path.source, path.regex, candidate);
      }
    }
  }
  for (const table of exactHosts.values()) table.seal();
  for (const table of wildcardHosts.values()) table.seal();
  anyHost.seal();

  const request = new RequestView();
  const hasWildcards = wildcardHosts.size > 0;

  function match(input: MatchInput): T | undefined {
    request.reset(input, methodBits.of(input.method));
    const found = lookup(normalizeHost(input.host), input.path);
    request.release();
    return found;
  }

  function lookup(host: string | undefined, path: string): T | undefined {
    if (host !== undefined) {
      const exact = exactHosts.get(host);
      if (exact !== undefined) {
        const hit = exact.find(path, request, true);
        if (hit !== undefined) return hit;
      }
      if (hasWildcards) {
        // Walk the suffixes after each dot, longest first; the first one has a single label before it.
        for (let dot = host.indexOf('.', 1), first = true; dot >= 0; dot = host.indexOf('.', dot + 1), first = false) {
          const table = wildcardHosts.get(host.slice(dot + 1));
          if (table === undefined) continue;
          const hit = table.find(path, request, first);
          if (hit !== undefined) return hit;
        }
      }
    }
    return anyHost.find(path, request, true);
  }

  return { match, size, rejected };
}

type CompiledPath = { kind: 'exact'; value: string } | { kind: 'prefix'; value: string } | { kind: 'regex'; source: string; regex: RegExp };

/** A route's paths, de-duplicated; none means prefix `/`. */
function compilePaths(entry: RouteEntry): CompiledPath[] {
  const paths = entry.route.match?.paths;
  if (paths === undefined || paths.length === 0) return [{ kind: 'prefix', value: '' }];
  const seen = new Set<string>();
  const compiled: CompiledPath[] = [];
  paths.forEach((p, i) => {
    const value = p.type === 'prefix' ? normalizePrefix(p.value) : p.value;
    const key = `${p.type} ${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (p.type === 'regex') compiled.push({ kind: 'regex', source: value, regex: compileWholeRegex(value, `match.paths[${i}]`) });
    else compiled.push({ kind: p.type, value });
  });
  return compiled;
}

/** The host tables a route goes into, creating them on first use; no hosts or `*` = any host. */
function tablesOf<T extends RouteEntry>(
  entry: T,
  exactHosts: Map<string, PathTable<T>>,
  wildcardHosts: Map<string, PathTable<T>>,
  anyHost: PathTable<T>,
): Set<PathTable<T>> {
  const hosts = entry.route.match?.hosts;
  const tables = new Set<PathTable<T>>();
  if (hosts === undefined || hosts.length === 0) return tables.add(anyHost);
  for (const raw of hosts) {
    if (raw === '*') {
      tables.add(anyHost);
    } else if (raw.startsWith('*.')) {
      tables.add(tableFor(wildcardHosts, normalizeHost(raw.slice(2)) ?? ''));
    } else {
      const host = normalizeHost(raw);
      if (host !== undefined) tables.add(tableFor(exactHosts, host));
    }
  }
  return tables;
}

function tableFor<T extends RouteEntry>(map: Map<string, PathTable<T>>, key: string): PathTable<T> {
  let table = map.get(key);
  if (table === undefined) map.set(key, (table = new PathTable<T>()));
  return table;
}
