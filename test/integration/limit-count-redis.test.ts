// limit-count `policy: redis` against a real redis-server: the shared window, its expiry in
// Redis, and failing open while Redis is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from '../../data-plane/src/plugins/plugin-test-kit.js';
import { createPluginRegistry } from '../../data-plane/src/plugins/registry.js';
import { closeRedisWindowCounters } from '../../data-plane/src/plugins/redis-window-counter.js';
import { waitFor } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  closeRedisWindowCounters();
  await redis?.stop();
});

const limit = (extra: Record<string, unknown> = {}) => ({
  'limit-count': { count: 3, timeWindow: 60, policy: 'redis' as const, redisHost: redis.host, redisPort: redis.port, ...extra },
});

describe('limit-count policy redis', () => {
  it('shares one window between separately compiled chains (two data planes) and sets its expiry in Redis', async () => {
    const a = chainFor(limit(), [], createPluginRegistry());
    const b = chainFor(limit(), [], createPluginRegistry());
    const statuses: number[] = [];
    const remaining: (string | undefined)[] = [];
    for (const chain of [a, b, a, b, a]) {
      const r = await exchange(chain, makeContext({ clientAddress: '10.1.1.1' }));
      statuses.push(r.status);
      remaining.push(r.headers['x-ratelimit-remaining']);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(remaining).toEqual(['2', '1', '0', '0', '0']);
    expect((await exchange(b, makeContext({ clientAddress: '10.1.1.2' }))).status).toBe(200);
    const keys = await redis.command('KEYS sluice:limit-count:*10.1.1.1');
    const key = /sluice:limit-count:[^\r\n]+/.exec(keys)?.[0];
    expect(key).toMatch(/^sluice:limit-count:r1:[0-9a-f]{16}:10\.1\.1\.1$/);
    const ttl = Number(/:(-?\d+)/.exec(await redis.command(`PTTL ${key}`))?.[1]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts a new window when the Redis key expires', async () => {
    const chain = chainFor(limit({ count: 1, timeWindow: 1 }));
    expect((await exchange(chain, makeContext({ clientAddress: '10.2.2.2' }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ clientAddress: '10.2.2.2' }))).status).toBe(429);
    await waitFor(async () => (await exchange(chain, makeContext({ clientAddress: '10.2.2.3' }))).status === 200, 5000, 'other key');
    await waitFor(async () => (await exchange(chain, makeContext({ clientAddress: '10.2.2.2' }))).status === 200, 5000, 'window expiry');
  });

  it('fails open and logs while Redis is down, and counts again when it is back', async () => {
    const warnings: string[] = [];
    const registry = createPluginRegistry([], { error() {}, warn: (_o, msg) => warnings.push(msg) });
    // Its own redisTimeout: its own connection, which reports to this test's logger.
    const chain = chainFor(limit({ count: 1, redisTimeout: 300 }), [], registry);
    expect((await exchange(chain, makeContext({ clientAddress: '10.3.3.3' }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ clientAddress: '10.3.3.3' }))).status).toBe(429);
    await redis.kill();
    try {
      const started = Date.now();
      for (let i = 0; i < 3; i++) {
        const r = await exchange(chain, makeContext({ clientAddress: '10.3.3.3' }));
        expect(r.status).toBe(200);
        expect(r.headers['x-ratelimit-remaining']).toBeUndefined();
      }
      expect(Date.now() - started).toBeLessThan(3000);
      await waitFor(() => warnings.length > 0, 5000, 'a warning');
      expect(warnings[0]).toMatch(/redis unavailable/);
    } finally {
      await redis.restart();
    }
    // Back (empty, nothing persisted): the first request counts again, the second is refused.
    await waitFor(
      async () => (await exchange(chain, makeContext({ clientAddress: '10.3.3.4' }))).headers['x-ratelimit-remaining'] === '0',
      10_000,
      'redis reconnect',
    );
    expect((await exchange(chain, makeContext({ clientAddress: '10.3.3.4' }))).status).toBe(429);
  });
});
