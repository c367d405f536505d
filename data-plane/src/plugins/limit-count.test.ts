import { describe, expect, it } from 'vitest';
import { FixedWindowCounter } from './fixed-window-counter.js';
import { createPluginRegistry } from './registry.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('limit-count', () => {
  it('allows count requests per key and window, then 429 with quota headers', async () => {
    const chain = chainFor({ 'limit-count': { count: 2, timeWindow: 60 } });
    const a1 = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    expect(a1.headers['x-ratelimit-limit']).toBe('2');
    expect(a1.headers['x-ratelimit-remaining']).toBe('1');
    expect(Number(a1.headers['x-ratelimit-reset'])).toBeGreaterThan(55);
    const a2 = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    expect(a2.headers['x-ratelimit-remaining']).toBe('0');
    const a3 = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    expect(a3.answered).toBe(true);
    expect(a3.status).toBe(429);
    expect(a3.headers['x-ratelimit-remaining']).toBe('0');
    // Another client has its own window.
    expect((await exchange(chain, makeContext({ clientAddress: '10.0.0.2' }))).status).toBe(200);
  });

  it('keys by a header variable, falls back to the client address, and uses rejectedCode/Msg', async () => {
    const chain = chainFor({
      'limit-count': { count: 1, timeWindow: 10, key: 'http_x_user', rejectedCode: 503, rejectedMsg: 'slow down', showLimitQuotaHeader: false },
    });
    expect((await exchange(chain, makeContext({ headers: { 'x-user': 'u1' } }))).status).toBe(200);
    const refused = await exchange(chain, makeContext({ headers: { 'x-user': 'u1' } }));
    expect(refused.status).toBe(503);
    expect(JSON.parse(String(refused.body))).toEqual({ message: 'slow down' });
    expect(refused.headers['x-ratelimit-limit']).toBeUndefined();
    expect((await exchange(chain, makeContext({ headers: { 'x-user': 'u2' } }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ clientAddress: '1.1.1.1' }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ clientAddress: '1.1.1.1' }))).status).toBe(503);
  });

  it('combines variables and keeps counters across recompiles of the same config', async () => {
    const registry = createPluginRegistry();
    const plugins = { 'limit-count': { count: 1, timeWindow: 60, keyType: 'var_combination' as const, key: '$remote_addr:$arg_t' } };
    expect((await exchange(chainFor(plugins, [], registry), makeContext({ query: 't=a' }))).status).toBe(200);
    expect((await exchange(chainFor(plugins, [], registry), makeContext({ query: 't=a' }))).status).toBe(429);
    expect((await exchange(chainFor(plugins, [], registry), makeContext({ query: 't=b' }))).status).toBe(200);
    // A changed config starts afresh.
    const changed = { 'limit-count': { ...plugins['limit-count'], count: 5 } };
    expect((await exchange(chainFor(changed, [], registry), makeContext({ query: 't=a' }))).status).toBe(200);
  });

  it('rejects an unknown variable, an unknown policy and a redis policy without a host at validation', () => {
    expect(() => chainFor({ 'limit-count': { count: 1, timeWindow: 1, key: 'bogus' } })).toThrow(/limit-count\/key/);
    expect(() => chainFor({ 'limit-count': { count: 1, timeWindow: 1, policy: 'cluster' as never } })).toThrow(/limit-count\/policy/);
    expect(() => chainFor({ 'limit-count': { count: 1, timeWindow: 1, policy: 'redis' } })).toThrow(/limit-count\/redisHost/);
    expect(() => chainFor({ 'limit-count': { count: 1, timeWindow: 1, redisHost: 'r' } })).toThrow(/limit-count\/redisHost/);
    expect(() => chainFor({ 'limit-count': { count: 1, timeWindow: 1, policy: 'redis', redisHost: 'r', redisPort: 0 } })).toThrow(/limit-count\/redisPort/);
  });
});

describe('FixedWindowCounter', () => {
  it('opens a new window when the old one ends', () => {
    const counter = new FixedWindowCounter(1000);
    expect(counter.hit('k', 0).used).toBe(1);
    expect(counter.hit('k', 999).used).toBe(2);
    expect(counter.hit('k', 1000)).toEqual({ used: 1, resetAt: 2000 });
  });
});
