import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('fault-injection', () => {
  it('aborts with the configured answer', async () => {
    const res = await exchange(chainFor({ 'fault-injection': { abort: { httpStatus: 503, body: 'down\n', headers: { 'X-Fault': '1' } } } }), makeContext());
    expect(res).toMatchObject({ status: 503, body: 'down\n', headers: { 'x-fault': '1' } });
  });

  it('never fires at 0 percent, and delays asynchronously', async () => {
    expect((await exchange(chainFor({ 'fault-injection': { abort: { httpStatus: 500, percentage: 0 } } }), makeContext())).status).toBe(200);
    const chain = chainFor({ 'fault-injection': { delay: { duration: 0.05 } } });
    const started = performance.now();
    const pending = chain.runRequest(makeContext());
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('needs abort or delay', () => {
    expect(() => chainFor({ 'fault-injection': {} })).toThrow(/needs abort or delay/);
  });
});
