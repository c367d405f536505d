import { describe, expect, it } from 'vitest';
import { applyHeaderOps, applyHeaderOpsToObject } from './header-ops.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('proxy-rewrite', () => {
  it('rewrites the path by regex with capture groups, keeping the query', async () => {
    const chain = chainFor({ 'proxy-rewrite': { regexUri: ['^/api/(\\w+)/(.*)', '/$1/v2/$2'] } });
    const { ctx } = await exchange(chain, makeContext({ path: '/api/users/42', query: 'x=1' }));
    expect(ctx.upstreamTarget()).toBe('/users/v2/42?x=1');
    const miss = await exchange(chain, makeContext({ path: '/other' }));
    expect(miss.ctx.upstreamTarget()).toBe('/other');
  });

  it('sets a fixed uri, host and method, and edits headers add → set → remove', async () => {
    const chain = chainFor({
      'proxy-rewrite': {
        uri: '/fixed',
        host: 'backend.internal',
        method: 'POST',
        headers: { add: { 'X-A': '1' }, set: { 'X-B': '2', 'X-A': 'set' }, remove: ['X-Gone'] },
      },
    });
    const { ctx, answered } = await exchange(chain, makeContext({ path: '/anything' }));
    expect(answered).toBe(false);
    expect(ctx.upstreamTarget()).toBe('/fixed');
    expect(ctx.upstreamHost).toBe('backend.internal');
    expect(ctx.upstreamMethod).toBe('POST');
    const flat = ['Host', 'h', 'x-gone', 'bye', 'X-A', 'old'];
    applyHeaderOps(flat, ctx.upstreamHeaderOps!);
    expect(flat).toEqual(['Host', 'h', 'X-B', '2', 'X-A', 'set']);
    const object: Record<string, string | string[]> = { 'x-gone': 'bye', 'x-c': 'c' };
    applyHeaderOpsToObject(object, ctx.upstreamHeaderOps!);
    expect(object).toEqual({ 'x-c': 'c', 'x-a': 'set', 'x-b': '2' });
  });

  it('rejects bad configs at validation', () => {
    expect(() => chainFor({ 'proxy-rewrite': { uri: 'no-slash' } })).toThrow(/proxy-rewrite\/uri/);
    expect(() => chainFor({ 'proxy-rewrite': { headers: { set: { 'X-A': 'a\r\nInjected: 1' } } } })).toThrow(/headers\/set/);
  });
});
