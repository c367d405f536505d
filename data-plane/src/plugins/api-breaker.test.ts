import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('CircuitBreaker', () => {
  it('opens on every failures-th unhealthy status for 2^n s (capped), closes after successes', () => {
    const b = new CircuitBreaker({ failures: 2, successes: 2, maxBreakerMs: 5000 });
    b.recordUnhealthy(0);
    expect(b.isOpen(0)).toBe(false);
    b.recordUnhealthy(1000);
    expect([b.isOpen(1000), b.isOpen(2999), b.isOpen(3000)]).toEqual([true, true, false]);
    b.recordUnhealthy(3000);
    b.recordUnhealthy(3500); // 4 = 2 x failures: 4 s
    expect([b.isOpen(7499), b.isOpen(7500)]).toEqual([true, false]);
    b.recordUnhealthy(8000);
    b.recordUnhealthy(8000); // 6: 8 s, capped at 5 s
    expect([b.isOpen(12_999), b.isOpen(13_000)]).toEqual([true, false]);
    b.recordHealthy();
    expect(b.unhealthy).toBe(6);
    b.recordHealthy();
    expect([b.unhealthy, b.healthy, b.openedAt]).toEqual([0, 0, undefined]);
    b.recordHealthy(); // nothing to heal
    expect(b.healthy).toBe(0);
  });
});

describe('api-breaker', () => {
  const config = {
    breakResponseCode: 502,
    breakResponseBody: 'broken',
    breakResponseHeaders: [{ key: 'X-Breaker', value: 'open' }],
    unhealthy: { httpStatuses: [500, 503], failures: 2 },
    healthy: { successes: 1 },
  };

  it('answers breakResponseCode after failures upstream statuses, without asking the upstream', async () => {
    const chain = chainFor({ 'api-breaker': config });
    for (let i = 0; i < 2; i++) {
      const ctx = makeContext();
      expect(chain.runRequest(ctx)).toBeUndefined();
      chain.runResponseHeaders(ctx, 503, []);
      chain.runLog(ctx, 503, 1);
    }
    const broken = await exchange(chain, makeContext());
    expect([broken.status, broken.body, broken.headers['x-breaker']]).toEqual([502, 'broken', 'open']);
  });

  it("counts the gateway 502 of an unreachable upstream but never other plugins' answers", async () => {
    const chain = chainFor({
      'api-breaker': { ...config, unhealthy: { httpStatuses: [502], failures: 1 } },
      'limit-count': { count: 1, timeWindow: 60, rejectedCode: 502 },
    });
    const ok = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    chain.runLog(ok.ctx, 200, 1);
    const refused = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    expect([refused.status, refused.body]).toEqual([502, undefined]);
    chain.runLog(refused.ctx, 502, 1); // limit-count's 502: not the upstream
    expect((await exchange(chain, makeContext({ clientAddress: '10.0.0.2' }))).status).toBe(200);
    // The proxy's own 502 (no upstream response head, no plugin answer) counts.
    const unreachable = makeContext({ clientAddress: '10.0.0.3' });
    expect(chain.runRequest(unreachable)).toBeUndefined();
    chain.runLog(unreachable, 502, 1);
    expect((await exchange(chain, makeContext({ clientAddress: '10.0.0.4' }))).body).toBe('broken');
  });

  it('rejects bad configs at validation', () => {
    expect(() => chainFor({ 'api-breaker': {} as never })).toThrow(/api-breaker/);
    expect(() => chainFor({ 'api-breaker': { breakResponseCode: 502, unhealthy: { httpStatuses: [200] } } })).toThrow(
      /api-breaker\/unhealthy\/httpStatuses\/0/,
    );
    expect(() => chainFor({ 'api-breaker': { breakResponseCode: 502, maxBreakerSec: 1 } })).toThrow(/api-breaker\/maxBreakerSec/);
  });
});
