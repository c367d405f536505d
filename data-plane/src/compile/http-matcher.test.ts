import type { IncomingHttpHeaders } from 'node:http';
import type { Route, RouteMatch } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { compileHttpMatcher } from './http-matcher.js';
import type { MatchInput, RouteEntry } from './types.js';

let revision = 0;
function entry(id: string, match: RouteMatch | undefined, extra: Partial<Route> = {}): RouteEntry {
  return { id, createRevision: ++revision, route: { id, ...(match ? { match } : {}), ...extra } };
}

function request(path: string, more: Partial<Omit<MatchInput, 'path'>> = {}): MatchInput {
  return { host: 'example.com', method: 'GET', headers: {} as IncomingHttpHeaders, query: '', ...more, path };
}

function matchId(entries: RouteEntry[], input: MatchInput): string | undefined {
  return compileHttpMatcher(entries).match(input)?.id;
}

describe('compileHttpMatcher', () => {
  it('returns the same entry object it was given and counts enabled routes', () => {
    const a = entry('a', { paths: [{ type: 'prefix', value: '/' }] });
    const off = entry('off', undefined, { status: 'disabled' });
    const matcher = compileHttpMatcher([a, off]);
    expect(matcher.match(request('/x'))).toBe(a);
    expect(matcher.size).toBe(1);
  });

  it('matches nothing when the table is empty', () => {
    expect(compileHttpMatcher([]).match(request('/'))).toBeUndefined();
  });

  describe('hosts', () => {
    const routes = [
      entry('exact', { hosts: ['api.example.com'] }),
      entry('suffix', { hosts: ['*.example.com'] }),
      entry('single', { hosts: ['*.single.com'], hostWildcard: 'single-label' }),
      entry('deep', { hosts: ['*.deep.single.com'], hostWildcard: 'suffix' }),
      entry('ipv6', { hosts: ['[::1]'] }),
    ];
    it.each([
      ['API.Example.com:8443', 'exact'],
      ['api.example.com.', 'exact'],
      ['a.example.com', 'suffix'],
      ['a.b.example.com', 'suffix'],
      ['example.com', undefined],
      ['bar.single.com', 'single'],
      ['baz.bar.single.com', undefined],
      ['single.com', undefined],
      ['x.deep.single.com', 'deep'],
      ['y.x.deep.single.com', 'deep'],
      ['[::1]:9080', 'ipv6'],
      [undefined, undefined],
    ])('%s → %s', (host, expected) => {
      expect(matchId(routes, request('/', { host }))).toBe(expected);
    });

    it('treats a host of "*" and an empty host list as any host', () => {
      const star = entry('star', { hosts: ['*'] });
      const empty = entry('empty', { hosts: [] });
      expect(matchId([star], request('/', { host: 'whatever.io' }))).toBe('star');
      expect(matchId([star], request('/', { host: undefined }))).toBe('star');
      expect(matchId([empty], request('/', { host: 'whatever.io' }))).toBe('empty');
    });

    it('normalizes the hosts written in routes too', () => {
      expect(matchId([entry('r', { hosts: ['API.Example.COM.'] })], request('/', { host: 'api.example.com' }))).toBe('r');
      expect(matchId([entry('w', { hosts: ['*.Example.COM'] })], request('/', { host: 'a.example.com' }))).toBe('w');
    });
  });

  describe('prefix paths are segment-aware', () => {
    const foo = entry('foo', { paths: [{ type: 'prefix', value: '/foo' }] });
    const slash = entry('slash', { paths: [{ type: 'prefix', value: '/bar/' }] });
    it.each([
      ['/foo', 'foo'],
      ['/foo/', 'foo'],
      ['/foo/bar', 'foo'],
      ['/foo/bar/baz/', 'foo'],
      ['/foobar', undefined],
      ['/fo', undefined],
      ['/', undefined],
      ['/bar', 'slash'],
      ['/bar/', 'slash'],
      ['/bar/x', 'slash'],
      ['/barx', undefined],
      ['/FOO', undefined],
    ])('%s → %s', (path, expected) => {
      expect(matchId([foo, slash], request(path))).toBe(expected);
    });

    it('lets "/" and a route without paths match every path', () => {
      const root = entry('root', { paths: [{ type: 'prefix', value: '/' }] });
      const none = entry('none', {});
      for (const path of ['/', '/a', '/a/b/', '*', '']) {
        expect(matchId([root], request(path))).toBe('root');
        expect(matchId([none], request(path))).toBe('none');
      }
    });

    it('finds a prefix shorter than a much longer one in the same table', () => {
      const long = entry('long', { paths: [{ type: 'prefix', value: '/a/b/c/d/e/f' }] });
      const short = entry('short', { paths: [{ type: 'prefix', value: '/a' }] });
      expect(matchId([long, short], request('/a/b/c/d/e/f/g'))).toBe('long');
      expect(matchId([long, short], request('/a/b/c/d/e/fg'))).toBe('short');
      expect(matchId([long, short], request('/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p'))).toBe('long');
    });
  });

  describe('exact and regex paths', () => {
    it('compares exact paths byte for byte, case-sensitively, undecoded', () => {
      const r = entry('r', { paths: [{ type: 'exact', value: '/a%20b' }] });
      expect(matchId([r], request('/a%20b'))).toBe('r');
      expect(matchId([r], request('/a b'))).toBeUndefined();
      expect(matchId([r], request('/A%20b'))).toBeUndefined();
      expect(matchId([r], request('/a%20b/'))).toBeUndefined();
    });

    it('requires a regex to match the whole path', () => {
      const r = entry('r', { paths: [{ type: 'regex', value: '/users/[0-9]+' }] });
      expect(matchId([r], request('/users/42'))).toBe('r');
      expect(matchId([r], request('/users/42/orders'))).toBeUndefined();
      expect(matchId([r], request('/api/users/42'))).toBeUndefined();
    });

    it('keeps an alternation inside the anchors', () => {
      const r = entry('r', { paths: [{ type: 'regex', value: '/a|/b' }] });
      expect(matchId([r], request('/a'))).toBe('r');
      expect(matchId([r], request('/b'))).toBe('r');
      expect(matchId([r], request('/ab'))).toBeUndefined();
      expect(matchId([r], request('/xx/b'))).toBeUndefined();
    });
  });

  it('finds regexes in every bucket a path could hit and ranks across buckets', () => {
    const routes = [
      entry('v1', { paths: [{ type: 'regex', value: '/api/v1/.*' }], priority: 1 }),
      entry('api', { paths: [{ type: 'regex', value: '/api/.*' }], priority: 5 }),
      entry('any', { paths: [{ type: 'regex', value: '.*/edit' }], priority: 3 }),
      entry('opt', { paths: [{ type: 'regex', value: '/optx?' }] }),
      entry('alt', { paths: [{ type: 'regex', value: '/left|/right/[a-z]+' }] }),
      entry('deep', { paths: [{ type: 'regex', value: '/a/b/c/d/[0-9]+' }] }),
    ];
    expect(matchId(routes, request('/api/v1/x'))).toBe('api');
    expect(matchId(routes, request('/api/v1/edit'))).toBe('api');
    expect(matchId(routes, request('/users/edit'))).toBe('any');
    expect(matchId(routes, request('/opt'))).toBe('opt');
    expect(matchId(routes, request('/optx'))).toBe('opt');
    expect(matchId(routes, request('/left'))).toBe('alt');
    expect(matchId(routes, request('/right/z'))).toBe('alt');
    expect(matchId(routes, request('/a/b/c/d/7'))).toBe('deep');
    expect(matchId(routes, request('/a/b/c/d'))).toBeUndefined();
    expect(matchId(routes.slice(0, 1), request('/api/v1/x'))).toBe('v1');
  });

  describe('methods', () => {
    const r = entry('r', { methods: ['GET', 'POST'] });
    it.each([
      ['GET', 'r'],
      ['POST', 'r'],
      ['DELETE', undefined],
      ['BREW', undefined],
    ])('%s → %s', (method, expected) => {
      expect(matchId([r, entry('other', { methods: ['DELETE'], hosts: ['other.com'] })], request('/', { method }))).toBe(expected);
    });
  });

  describe('headers', () => {
    const routes = [
      entry('exact', { headers: [{ name: 'X-Env', value: 'Canary' }] }),
      entry('regex', { headers: [{ name: 'x-version', type: 'regex', value: 'v[0-9]' }] }),
      entry('present', { headers: [{ name: 'X-Debug', type: 'present' }] }),
      entry('absent', { headers: [{ name: 'x-block', type: 'absent' }], priority: -1 }),
    ];
    it.each<[IncomingHttpHeaders, string | undefined]>([
      [{ 'x-env': 'Canary' }, 'exact'],
      [{ 'x-env': 'canary' }, 'absent'],
      [{ 'x-version': 'v2' }, 'regex'],
      [{ 'x-version': 'v22' }, 'absent'],
      [{ 'x-version': 'xv2' }, 'absent'],
      [{ 'x-debug': '' }, 'present'],
      [{}, 'absent'],
      [{ 'x-block': '1' }, undefined],
    ])('%j → %s', (headers, expected) => {
      expect(matchId(routes, request('/', { headers }))).toBe(expected);
    });

    it('joins a repeated header with ", " before comparing', () => {
      const cookie = entry('c', { headers: [{ name: 'set-cookie', value: 'a=1, b=2' }] });
      expect(matchId([cookie], request('/', { headers: { 'set-cookie': ['a=1', 'b=2'] } }))).toBe('c');
      expect(matchId([cookie], request('/', { headers: { 'set-cookie': ['a=1'] } }))).toBeUndefined();
    });
  });

  describe('query', () => {
    const routes = [
      entry('exact', { query: [{ name: 'q', value: 'a b' }] }),
      entry('regex', { query: [{ name: 'page', type: 'regex', value: '[0-9]+' }] }),
      entry('present', { query: [{ name: 'debug', type: 'present' }] }),
      entry('Case', { query: [{ name: 'Name', value: 'x' }] }),
    ];
    it.each([
      ['q=a+b', 'exact'],
      ['q=a%20b', 'exact'],
      ['q=a+b&q=c', 'exact'],
      ['q=c&q=a+b', undefined],
      ['page=12', 'regex'],
      ['page=12a', undefined],
      ['debug', 'present'],
      ['debug=', 'present'],
      ['x=1&debug=0', 'present'],
      ['name=x', undefined],
      ['Name=x', 'Case'],
      ['q=%ZZ', undefined],
      ['', undefined],
    ])('?%s → %s', (query, expected) => {
      expect(matchId(routes, request('/', { query }))).toBe(expected);
    });

    it('does not see inherited object properties as parameters', () => {
      const proto = entry('proto', { query: [{ name: 'toString', type: 'present' }] });
      expect(matchId([proto], request('/', { query: 'a=1' }))).toBeUndefined();
      expect(matchId([proto], request('/', { query: '' }))).toBeUndefined();
      expect(matchId([proto], request('/', { query: 'toString' }))).toBe('proto');
    });

    it('supports absent, and decodes parameter names', () => {
      const absent = entry('absent', { query: [{ name: 'skip', type: 'absent' }] });
      expect(matchId([absent], request('/', { query: 'a=1' }))).toBe('absent');
      expect(matchId([absent], request('/', { query: 'skip' }))).toBeUndefined();
      expect(matchId([absent], request('/', { query: 'sk%69p=1' }))).toBeUndefined();
    });

    it('needs every condition of a route to hold', () => {
      const both = entry('both', {
        methods: ['GET'],
        headers: [{ name: 'x-a', value: '1' }],
        query: [{ name: 'b', value: '2' }],
      });
      expect(matchId([both], request('/', { headers: { 'x-a': '1' }, query: 'b=2' }))).toBe('both');
      expect(matchId([both], request('/', { headers: { 'x-a': '1' }, query: 'b=3' }))).toBeUndefined();
      expect(matchId([both], request('/', { headers: { 'x-a': '2' }, query: 'b=2' }))).toBeUndefined();
      expect(matchId([both], request('/', { method: 'PUT', headers: { 'x-a': '1' }, query: 'b=2' }))).toBeUndefined();
    });
  });

  describe('bad routes are rejected alone', () => {
    it('leaves out a route with an invalid regex or a missing value and keeps the rest', () => {
      const good = entry('good', { paths: [{ type: 'prefix', value: '/' }] });
      const badPath = entry('bad-path', { paths: [{ type: 'regex', value: '/(' }] });
      const badHeader = entry('bad-header', { headers: [{ name: 'x', type: 'regex', value: '[' }] });
      const noValue = entry('no-value', { query: [{ name: 'x' }] });
      const matcher = compileHttpMatcher([badPath, badHeader, noValue, good]);
      expect(matcher.size).toBe(1);
      expect(matcher.rejected.map((r) => r.entry.id)).toEqual(['bad-path', 'bad-header', 'no-value']);
      expect(matcher.rejected[0].reason).toMatch(/match\.paths\[0\]: invalid regular expression/);
      expect(matcher.rejected[1].reason).toMatch(/match\.headers\[0\]/);
      expect(matcher.rejected[2].reason).toMatch(/match\.query\[0\]: type exact needs a value/);
      expect(matcher.match(request('/(', { headers: { x: '[' }, query: 'x=' }))?.id).toBe('good');
    });
  });
});
