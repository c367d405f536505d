import { describe, expect, it } from 'vitest';
import { LeakyBucket } from './leaky-bucket.js';
import { makeContext, chainFor, exchange } from './plugin-test-kit.js';

describe('LeakyBucket', () => {
  it('lets rate through, delays the burst by excess / rate, refuses beyond it (nginx limit_req)', () => {
    const bucket = new LeakyBucket(10, 2); // 10/s: one every 100 ms
    expect(bucket.take('k', 0)).toBe(0);
    expect(bucket.take('k', 0)).toBe(100);
    expect(bucket.take('k', 0)).toBe(200);
    expect(bucket.take('k', 0)).toBe(-1);
    // 150 ms later 1.5 requests drained: excess 2 - 1.5 + 1 = 1.5.
    expect(bucket.take('k', 150)).toBeCloseTo(150);
    expect(bucket.take('other', 150)).toBe(0);
    // Long idle: empty again.
    expect(bucket.take('k', 10_000)).toBe(0);
  });
});

describe('limit-req', () => {
  it('refuses over rate + burst with rejectedCode (503 by default) and keeps clients apart', async () => {
    const chain = chainFor({ 'limit-req': { rate: 1, burst: 0 } });
    expect((await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }))).status).toBe(200);
    const refused = await exchange(chain, makeContext({ clientAddress: '10.0.0.1' }));
    expect(refused.status).toBe(503);
    expect(refused.answered).toBe(true);
    expect((await exchange(chain, makeContext({ clientAddress: '10.0.0.2' }))).status).toBe(200);
    const custom = chainFor({ 'limit-req': { rate: 1, burst: 0, key: 'http_x_user', rejectedCode: 429, rejectedMsg: 'easy' } });
    await exchange(custom, makeContext({ headers: { 'x-user': 'u' } }));
    const r = await exchange(custom, makeContext({ headers: { 'x-user': 'u' } }));
    expect([r.status, JSON.parse(String(r.body)).message]).toEqual([429, 'easy']);
  });

  it('delays requests within the burst (a Promise), unless nodelay', async () => {
    const delayed = chainFor({ 'limit-req': { rate: 50, burst: 5 } });
    expect(delayed.runRequest(makeContext())).toBeUndefined();
    const started = performance.now();
    const pending = delayed.runRequest(makeContext());
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(15); // ~20 ms = 1 / 50 s
    const fast = chainFor({ 'limit-req': { rate: 50, burst: 5, nodelay: true } });
    for (let i = 0; i < 6; i++) expect(fast.runRequest(makeContext())).toBeUndefined();
    expect((fast.runRequest(makeContext()) as { status: number }).status).toBe(503);
  });

  it('rejects bad configs at validation', () => {
    expect(() => chainFor({ 'limit-req': { rate: 0, burst: 1 } })).toThrow(/limit-req\/rate/);
    expect(() => chainFor({ 'limit-req': { rate: 1, burst: 1, key: 'nope' } })).toThrow(/limit-req\/key/);
    expect(() => chainFor({ 'limit-req': { rate: 1 } as never })).toThrow(/limit-req/);
  });
});
