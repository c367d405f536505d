import type { IncomingHttpHeaders } from 'node:http';
import type { Route, RouteMatch, ValueMatch } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { compileHttpMatcher } from './http-matcher.js';
import { normalizeHost } from './normalize-host.js';
import type { MatchInput, RouteEntry } from './types.js';

/**
 * Cross-checks the compiled matcher against a deliberately naive reference that scans
 * every route and ranks the matches by the full precedence key, on seeded random routes
 * and requests drawn from small vocabularies so that overlaps and ties are frequent.
 */

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['a.x.com', 'b.x.com', 'x.com', '*.x.com', '*.b.x.com', '*', 'c.b.x.com'];
const PATHS: NonNullable<RouteMatch['paths']> = [
  { type: 'prefix', value: '/' },
  { type: 'prefix', value: '/a' },
  { type: 'prefix', value: '/a/' },
  { type: 'prefix', value: '/a/b' },
  { type: 'prefix', value: '/b' },
  { type: 'exact', value: '/a' },
  { type: 'exact', value: '/a/b' },
  { type: 'exact', value: '/a/b/' },
  { type: 'regex', value: '/a/.*' },
  { type: 'regex', value: '/[ab]/b' },
  { type: 'regex', value: '/a/b?' },
  { type: 'regex', value: '.*/b' },
  { type: 'regex', value: '/b|/a/b/c' },
];
const HEADERS: ValueMatch[] = [
  { name: 'X-A', value: '1' },
  { name: 'x-a', type: 'regex', value: '[12]' },
  { name: 'x-b', type: 'present' },
  { name: 'x-b', type: 'absent' },
];
const QUERY: ValueMatch[] = [
  { name: 'q', value: '1' },
  { name: 'q', type: 'present' },
  { name: 'r', type: 'absent' },
];
const REQUEST_HOSTS = ['a.x.com', 'A.X.com:80', 'b.x.com', 'x.com', 'c.b.x.com', 'd.c.b.x.com', 'e.a.x.com', 'y.com', undefined];
const REQUEST_PATHS = ['/', '/a', '/a/', '/a/b', '/a/b/', '/ab', '/b', '/a/b/c', '/b/b', '/a//b', '*'];

function someOf<T>(random: () => number, items: readonly T[], max: number): T[] {
  const count = Math.floor(random() * (max + 1));
  return Array.from({ length: count }, () => items[Math.floor(random() * items.length)]);
}

function randomEntries(random: () => number, count: number): RouteEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `r${Math.floor(random() * 1000)}-${i}`;
    const match: RouteMatch = {};
    if (random() < 0.7) match.hosts = someOf(random, HOSTS, 2);
    if (random() < 0.4) match.hostWildcard = random() < 0.5 ? 'single-label' : 'suffix';
    if (random() < 0.9) match.paths = someOf(random, PATHS, 2);
    if (random() < 0.3) match.methods = random() < 0.5 ? ['GET'] : ['POST', 'PUT'];
    if (random() < 0.3) match.headers = someOf(random, HEADERS, 2);
    if (random() < 0.3) match.query = someOf(random, QUERY, 2);
    if (random() < 0.3) match.priority = Math.floor(random() * 3) - 1;
    const route: Route = { id, match };
    if (random() < 0.2) route.priority = Math.floor(random() * 3) - 1;
    if (random() < 0.1) route.status = 'disabled';
    return { id, route, createRevision: Math.floor(random() * 5) };
  });
}

function randomRequest(random: () => number): MatchInput {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const headers: IncomingHttpHeaders = {};
  if (random() < 0.5) headers['x-a'] = pick(['1', '2', '3']);
  if (random() < 0.5) headers['x-b'] = '';
  return {
    host: pick(REQUEST_HOSTS),
    path: pick(REQUEST_PATHS),
    method: pick(['GET', 'POST', 'DELETE']),
    headers,
    query: pick(['', 'q=1', 'q=2&q=1', 'q=1&r', 'r=1']),
  };
}

/** Host tier of a route for a host: 0 exact, 1 + (1000 - suffix length) wildcard, 2000 any; undefined = no match. */
function hostTier(route: Route, host: string | undefined): number | undefined {
  const hosts = route.match?.hosts ?? [];
  if (hosts.length === 0) return 2000;
  let best: number | undefined;
  for (const h of hosts) {
    let tier: number | undefined;
    if (h === '*') tier = 2000;
    else if (host === undefined) tier = undefined;
    else if (h.startsWith('*.')) {
      const suffix = h.slice(2);
      const label = host.endsWith(`.${suffix}`) ? host.slice(0, host.length - suffix.length - 1) : '';
      const singleOnly = route.match?.hostWildcard === 'single-label';
      if (label.length > 0 && (!singleOnly || !label.includes('.'))) tier = 1 + (1000 - suffix.length);
    } else if (h === host) tier = 0;
    if (tier !== undefined && (best === undefined || tier < best)) best = tier;
  }
  return best;
}

/** Path rank: exact 0, regex 1, prefix 2 + (5000 - normalized length); undefined = no match. */
function pathRank(route: Route, path: string): number | undefined {
  const paths = route.match?.paths?.length ? route.match.paths : [{ type: 'prefix' as const, value: '/' }];
  let best: number | undefined;
  for (const p of paths) {
    let rank: number | undefined;
    if (p.type === 'exact' && p.value === path) rank = 0;
    if (p.type === 'regex' && new RegExp(`^(?:${p.value})$`).test(path)) rank = 1;
    if (p.type === 'prefix') {
      const prefix = p.value.replace(/\/+$/, '');
      if (prefix === '' || path === prefix || path.startsWith(`${prefix}/`)) rank = 2 + (5000 - prefix.length);
    }
    if (rank !== undefined && (best === undefined || rank < best)) best = rank;
  }
  return best;
}

function conditionHolds(c: ValueMatch, value: string | undefined): boolean {
  const type = c.type ?? 'exact';
  if (type === 'present') return value !== undefined;
  if (type === 'absent') return value === undefined;
  if (value === undefined) return false;
  return type === 'exact' ? value === c.value : new RegExp(`^(?:${c.value})$`).test(value);
}

function referenceMatch(entries: RouteEntry[], input: MatchInput): string | undefined {
  const host = normalizeHost(input.host);
  const query = new URLSearchParams(input.query);
  let best: { key: (number | string)[]; id: string } | undefined;
  for (const { id, route, createRevision } of entries) {
    if (route.status === 'disabled') continue;
    const m = route.match ?? {};
    const tier = hostTier(route, host);
    const rank = pathRank(route, input.path);
    if (tier === undefined || rank === undefined) continue;
    if (m.methods?.length && !m.methods.includes(input.method as never)) continue;
    if (!(m.headers ?? []).every((h) => conditionHolds(h, input.headers[h.name.toLowerCase()] as string | undefined))) continue;
    if (!(m.query ?? []).every((q) => conditionHolds(q, query.get(q.name) ?? undefined))) continue;
    const key = [
      tier,
      rank,
      -(m.headers?.length ?? 0),
      -(m.query?.length ?? 0),
      m.methods?.length ? 0 : 1,
      -(m.priority ?? route.priority ?? 0),
      createRevision,
      id,
    ];
    if (best === undefined || lexLess(key, best.key)) best = { key, id };
  }
  return best?.id;
}

function lexLess(a: (number | string)[], b: (number | string)[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

describe('compiled matcher vs a naive reference', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('agrees on 1500 random requests (seed %i)', (seed) => {
    const random = prng(seed);
    const entries = randomEntries(random, 10 + seed * 15);
    const matcher = compileHttpMatcher(entries);
    let matched = 0;
    for (let i = 0; i < 1500; i++) {
      const input = randomRequest(random);
      const expected = referenceMatch(entries, input);
      if (expected !== undefined) matched++;
      expect(matcher.match(input)?.id, JSON.stringify(input)).toBe(expected);
    }
    // The vocabularies are small on purpose: most requests must hit something.
    expect(matched).toBeGreaterThan(500);
  });
});
