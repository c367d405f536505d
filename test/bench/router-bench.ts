/**
 * Router benchmark: compile time, match time and heap of the HTTP route matcher at
 * 1k, 10k and 100k generated routes. Run:
 *   node --expose-gc --import tsx test/bench/router-bench.ts
 * Deterministic (seeded) routes with a realistic mix: ~70% prefix, 20% exact, 3% regex,
 * 7% deeper prefixes; hosts over 1000 exact names, 100 wildcard suffixes and host-less;
 * some routes with methods, headers or query conditions. Requests mix hits and misses.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '@sluice/model';
import { compileHttpMatcher } from '../../data-plane/src/compile/http-matcher.js';
import type { MatchInput, RouteEntry } from '../../data-plane/src/compile/types.js';

const SIZES = [1_000, 10_000, 100_000];
const REQUESTS = 4_000; // 80% aimed at a route, 20% misses
const PASSES = 7;
const COMPILE_RUNS = 3;

/** mulberry32: a small seeded PRNG so every run benchmarks the same tables. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  entries: RouteEntry[];
  /** A request each route should answer (not necessarily as the winner). */
  aimedAt: MatchInput[];
}

function generateRoutes(count: number): Generated {
  const random = prng(count);
  const pick = (n: number) => Math.floor(random() * n);
  const entries: RouteEntry[] = [];
  const aimedAt: MatchInput[] = [];
  for (let i = 0; i < count; i++) {
    const id = `route-${i}`;
    const match: NonNullable<Route['match']> = {};
    const input: MatchInput = { host: undefined, path: '/', method: 'GET', headers: {}, query: '' };

    const hostKind = random();
    if (hostKind < 0.8) {
      const host = `svc${pick(1000)}.example.com`;
      match.hosts = [host];
      input.host = `${host}:9080`;
    } else if (hostKind < 0.9) {
      const suffix = `team${pick(100)}.example.com`;
      match.hosts = [`*.${suffix}`];
      if (random() < 0.5) match.hostWildcard = 'single-label';
      input.host = `app${pick(50)}.${suffix}`;
    } else {
      input.host = `unknown${pick(100)}.example.org`;
    }

    const pathKind = random();
    if (pathKind < 0.7) {
      const prefix = `/app${pick(37)}/res${i}`;
      match.paths = [{ type: 'prefix', value: prefix }];
      input.path = `${prefix}/items/${pick(1000)}`;
    } else if (pathKind < 0.9) {
      const path = `/exact/${i}/item`;
      match.paths = [{ type: 'exact', value: path }];
      input.path = path;
    } else if (pathKind < 0.93) {
      match.paths = [{ type: 'regex', value: `/rx/${i}/[0-9]+(/details)?` }];
      input.path = `/rx/${i}/${pick(100000)}`;
    } else {
      const prefix = `/deep/${pick(100)}/v${i}/a/b`;
      match.paths = [{ type: 'prefix', value: prefix }];
      input.path = `${prefix}/c/d/e`;
    }

    if (random() < 0.2) {
      match.methods = random() < 0.5 ? ['GET'] : ['GET', 'POST', 'PUT'];
    }
    if (random() < 0.05) {
      match.headers = [{ name: 'X-Canary', value: 'always' }];
      (input.headers as IncomingHttpHeaders)['x-canary'] = 'always';
    }
    if (random() < 0.02) {
      match.query = [{ name: 'version', type: 'present' }];
      input.query = `a=1&version=${pick(9)}`;
    }
    entries.push({ id, createRevision: i + 1, route: { id, match, ...(random() < 0.05 ? { priority: pick(10) } : {}) } });
    aimedAt.push(input);
  }
  return { entries, aimedAt };
}

function makeRequests(generated: Generated): MatchInput[] {
  const random = prng(7);
  const requests: MatchInput[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    if (random() < 0.8) {
      requests.push(generated.aimedAt[Math.floor(random() * generated.aimedAt.length)]);
    } else if (random() < 0.5) {
      // Known host, unknown path: walks every tier down to host-less.
      requests.push({ host: `svc${i % 1000}.example.com`, path: `/nope/${i}/x/y`, method: 'GET', headers: {}, query: '' });
    } else {
      requests.push({ host: `stranger${i}.example.net`, path: `/app${i % 37}/resX${i}`, method: 'DELETE', headers: {}, query: 'q=1' });
    }
  }
  return requests;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** ns per match for each pass over `requests`; one extra first pass warms up the JIT. */
function timeMatches(matcher: { match(input: MatchInput): unknown }, requests: MatchInput[]): number[] {
  const passes: number[] = [];
  let found = 0;
  for (let pass = 0; pass <= PASSES; pass++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < requests.length; i++) if (matcher.match(requests[i]) !== undefined) found++;
    if (pass > 0) passes.push(Number(process.hrtime.bigint() - start) / requests.length);
  }
  if (found < 0) console.log(found); // keeps the loop observable
  return passes;
}

const rows: Record<string, string | number>[] = [];
let heapNote = '';
for (const size of SIZES) {
  const generated = generateRoutes(size);
  const requests = makeRequests(generated);

  const compileTimes: number[] = [];
  let matcher: ReturnType<typeof compileHttpMatcher<RouteEntry>> | undefined;
  for (let run = 0; run < COMPILE_RUNS; run++) {
    matcher = undefined; // let the previous table go before measuring the heap
    const heapBefore = heapMb();
    const start = process.hrtime.bigint();
    matcher = compileHttpMatcher(generated.entries);
    compileTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (size === SIZES[SIZES.length - 1] && run === COMPILE_RUNS - 1) {
      const heapAfter = heapMb();
      heapNote = `heap used after compile at ${size} routes: ${heapAfter.toFixed(1)} MB total, matcher ${(heapAfter - heapBefore).toFixed(1)} MB (the rest is the route documents and the script)`;
    }
  }

  if (matcher === undefined) throw new Error('unreachable');
  let hits = 0;
  let aimedMissed = 0;
  for (let i = 0; i < requests.length; i++) {
    const found = matcher.match(requests[i]);
    if (found !== undefined) hits++;
  }
  for (const input of generated.aimedAt.slice(0, 5000)) if (matcher.match(input) === undefined) aimedMissed++;
  if (aimedMissed > 0) throw new Error(`${aimedMissed} requests aimed at a route matched nothing at ${size} routes`);

  const overall = timeMatches(matcher, requests);
  const missesOnly = timeMatches(
    matcher,
    requests.filter((r) => matcher!.match(r) === undefined),
  );
  rows.push({
    routes: size,
    'compile ms (median)': Number(median(compileTimes).toFixed(1)),
    'match ns/op (median)': Math.round(median(overall)),
    'match ns/op (best pass)': Math.round(Math.min(...overall)),
    'miss ns/op (median)': Math.round(median(missesOnly)),
    'hit %': Number(((100 * hits) / requests.length).toFixed(1)),
    rejected: matcher.rejected.length,
  });
}

console.table(rows);
console.log(heapNote);
if (!(globalThis as { gc?: () => void }).gc) console.log('(run with --expose-gc for a settled heap figure)');
