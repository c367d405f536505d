import type { IncomingHttpHeaders } from 'node:http';
import type { Route, RouteMatch } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { compileHttpMatcher } from './http-matcher.js';
import type { RouteEntry } from './types.js';

// The Gateway API ranks a method match before header and query counts (HTTPRoute precedence:
// path, method, headers, query, then age); the data plane's own order puts the method last.
// A matcher made only of HTTPRoute/GRPCRoute documents (a Gateway listener's) uses the former.

let revision = 0;
function entry(id: string, match: RouteMatch, ownerKind: string): RouteEntry {
  const owner = (ownerKind === 'admin' ? { kind: 'admin' } : { kind: ownerKind, namespace: 'default', name: id }) as Route['owner'];
  return { id, createRevision: ++revision, route: { id, match, owner } };
}

const methodOnly = (kind: string) => entry('method', { methods: ['PATCH'] }, kind);
const twoHeaders = (kind: string) =>
  entry(
    'headers',
    {
      headers: [
        { name: 'x-a', value: '1' },
        { name: 'x-b', value: '2' },
      ],
    },
    kind,
  );
const query = (kind: string) => entry('query', { query: [{ name: 'q', value: '1' }] }, kind);

function winner(entries: RouteEntry[], method: string, headers: IncomingHttpHeaders, q = ''): string | undefined {
  return compileHttpMatcher(entries).match({ host: 'example.com', path: '/', method, headers, query: q })?.id;
}

describe('Gateway API precedence in the matcher', () => {
  it('ranks a method match before more headers and query conditions on Gateway API routes', () => {
    for (const kind of ['HTTPRoute', 'GRPCRoute']) {
      const routes = [twoHeaders(kind), query(kind), methodOnly(kind)];
      expect(winner(routes, 'PATCH', { 'x-a': '1', 'x-b': '2' }, 'q=1'), kind).toBe('method');
      expect(winner(routes, 'GET', { 'x-a': '1', 'x-b': '2' }, 'q=1'), kind).toBe('headers');
      expect(winner(routes, 'GET', {}, 'q=1'), kind).toBe('query');
    }
  });

  it('keeps the data plane order (headers, query, then method) for other routes and for a mix', () => {
    const admin = [twoHeaders('admin'), query('admin'), methodOnly('admin')];
    expect(winner(admin, 'PATCH', { 'x-a': '1', 'x-b': '2' }, 'q=1')).toBe('headers');
    expect(winner(admin, 'PATCH', {}, 'q=1')).toBe('query');
    expect(winner(admin, 'PATCH', {})).toBe('method');
    const ingress = [twoHeaders('Ingress'), methodOnly('Ingress')];
    expect(winner(ingress, 'PATCH', { 'x-a': '1', 'x-b': '2' })).toBe('headers');
    const mixed = [twoHeaders('HTTPRoute'), methodOnly('admin')];
    expect(winner(mixed, 'PATCH', { 'x-a': '1', 'x-b': '2' })).toBe('headers');
  });

  it('still puts the path first: an exact path without method beats a prefix with one', () => {
    const routes = [
      entry('prefix-method', { paths: [{ type: 'prefix', value: '/a' }], methods: ['GET'] }, 'HTTPRoute'),
      entry('exact', { paths: [{ type: 'exact', value: '/a/b' }] }, 'HTTPRoute'),
    ];
    const matcher = compileHttpMatcher(routes);
    expect(matcher.match({ host: 'example.com', path: '/a/b', method: 'GET', headers: {}, query: '' })?.id).toBe('exact');
    expect(matcher.match({ host: 'example.com', path: '/a/c', method: 'GET', headers: {}, query: '' })?.id).toBe('prefix-method');
  });
});
