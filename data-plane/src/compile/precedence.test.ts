import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Route, validateSchema } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileHttpMatcher } from './http-matcher.js';
import type { RouteEntry } from './types.js';

/** One case of testdata/precedence.yaml; see the header of that file. */
interface PrecedenceCase {
  proves: string;
  routes: (Partial<Route> & { createRevision?: number })[];
  requests: {
    path: string;
    host?: string;
    method?: string;
    headers?: Record<string, string>;
    query?: string;
    expect: string | null;
  }[];
}

const cases = parse(readFileSync(new URL('./testdata/precedence.yaml', import.meta.url), 'utf8')) as PrecedenceCase[];

function toEntries(routes: PrecedenceCase['routes']): RouteEntry[] {
  return routes.map(({ createRevision, ...fields }, i) => {
    const route = { id: `r${i + 1}`, ...fields } as Route;
    // The table must hold real documents: a typo in a field would otherwise prove nothing.
    expect(validateSchema(Route, route), `route ${route.id}`).toEqual([]);
    return { id: route.id, route, createRevision: createRevision ?? i + 1 };
  });
}

describe('route precedence table', () => {
  it('has enough cases, each explained', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) expect(c.proves, JSON.stringify(c)).toMatch(/\w/);
  });

  describe.each(cases.map((c) => [c.proves, c] as const))('%s', (_proves, c) => {
    it('picks the expected route for every request', () => {
      const matcher = compileHttpMatcher(toEntries(c.routes));
      expect(matcher.rejected).toEqual([]);
      for (const r of c.requests) {
        const headers: IncomingHttpHeaders = {};
        // Node hands header names over in lower case.
        for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = value;
        const got = matcher.match({
          host: 'host' in r ? r.host : 'example.com',
          path: r.path,
          method: r.method ?? 'GET',
          headers,
          query: r.query ?? '',
        });
        expect(got?.id ?? null, `${r.method ?? 'GET'} ${r.host ?? 'example.com'}${r.path}?${r.query ?? ''}`).toBe(r.expect);
      }
    });
  });
});
