import { describe, expect, it } from 'vitest';
import type { PathPolicy } from '../../compile/client-traffic.js';
import { normalizeTarget, removeDotSegments } from './normalize-target.js';

const DEFAULT: PathPolicy = { escapedSlashes: 'redirect', mergeSlashes: true };
const ok = (target: string, policy = DEFAULT) => {
  const r = normalizeTarget(target, policy);
  if (r.kind !== 'ok') throw new Error(`${target}: ${JSON.stringify(r)}`);
  return r.query ? `${r.path}?${r.query}` : r.path;
};

describe('normalizeTarget', () => {
  it('leaves ordinary paths alone (same string, no work)', () => {
    const target = '/api/v1/items?x=1';
    const r = normalizeTarget(target, DEFAULT);
    expect(r).toEqual({ kind: 'ok', path: '/api/v1/items', query: 'x=1', authority: undefined });
    const plain = '/a/b.c/d';
    expect((normalizeTarget(plain, DEFAULT) as { path: string }).path).toBe(plain);
  });

  it.each([
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/../../../c', '/c'],
    ['/../a', '/a'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/.', '/'],
    ['/a//b///c', '/a/b/c'],
    ['//a', '/a'],
    ['/a/', '/a/'],
    ['/', '/'],
    ['/a/.well-known/x', '/a/.well-known/x'],
    ['/a/..b/c', '/a/..b/c'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/%2E%2e/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/%70rivate', '/private'],
    ['/%7e%41%5f', '/~A_'],
    ['/a%3fb', '/a%3Fb'],
    ['/a%20b', '/a%20b'],
    ['/a\\..\\b', '/b'],
    ['/a/b?q=/../%2e', '/a/b?q=/../%2e'],
    ['/é/x', '/é/x'],
  ])('%s → %s', (target, expected) => {
    expect(ok(target)).toBe(expected);
  });

  it('keeps empty segments when merging is off', () => {
    expect(ok('/a//b/../c', { escapedSlashes: 'reject', mergeSlashes: false })).toBe('/a//c');
  });

  it('encoded slashes follow the policy', () => {
    expect(normalizeTarget('/a%2F..%2Fb?x=1', DEFAULT)).toEqual({ kind: 'redirect', location: '/b?x=1' });
    expect(normalizeTarget('/a%5cb', DEFAULT)).toEqual({ kind: 'redirect', location: '/a/b' });
    expect(normalizeTarget('/a%2fb', { escapedSlashes: 'reject', mergeSlashes: true }).kind).toBe('invalid');
    expect(ok('/a%2f..%2fb', { escapedSlashes: 'keep', mergeSlashes: true })).toBe('/a%2F..%2Fb');
    expect(ok('/a%2f..%2fb', { escapedSlashes: 'decode', mergeSlashes: true })).toBe('/b');
  });

  it.each([
    ['a bad escape', '/a%zzb'],
    ['a cut escape', '/a%2'],
    ['an encoded NUL', '/a%00'],
    ['an encoded CR LF', '/a%0d%0aX:1'],
    ['an encoded DEL', '/a%7f'],
    ['a fragment', '/a#b'],
    ['a dot segment with parameters', '/a/..;/b'],
    ['an encoded dot segment with parameters', '/a/%2e%2e;x/b'],
    ['a single dot with parameters', '/a/.;/b'],
    ['the asterisk form', '*'],
    ['the authority form', 'example.com:443'],
    ['another scheme', 'ftp://example.com/a'],
    ['userinfo in the authority', 'http://user@example.com/a'],
    ['an empty authority', 'http:///a'],
  ])('refuses %s', (_name, target) => {
    expect(normalizeTarget(target, DEFAULT).kind).toBe('invalid');
  });

  it('takes the absolute form apart', () => {
    expect(normalizeTarget('http://Example.com:8080/a/../b?q', DEFAULT)).toEqual({ kind: 'ok', path: '/b', query: 'q', authority: 'Example.com:8080' });
    expect(normalizeTarget('HTTPS://example.com', DEFAULT)).toEqual({ kind: 'ok', path: '/', query: '', authority: 'example.com' });
    expect(normalizeTarget('http://example.com?x', DEFAULT)).toEqual({ kind: 'ok', path: '/', query: 'x', authority: 'example.com' });
  });

  it('is idempotent: a normalized path normalizes to itself', () => {
    for (const target of ['/a/./b/../c//d', '/%2e%2e/%61/x%3f', '/a\\b/..', '/x/%7E/']) {
      const once = ok(target);
      expect(ok(once)).toBe(once);
    }
  });
});

describe('removeDotSegments (RFC 3986 §5.2.4 examples, absolute paths)', () => {
  it.each([
    ['/a/b/c/./../../g', '/a/g'],
    ['/b/c/./g', '/b/c/g'],
    ['/mid/content=5/../6', '/mid/6'],
  ])('%s → %s', (input, expected) => {
    expect(removeDotSegments(input, false)).toBe(expected);
  });
});
