import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('limit-conn', () => {
  it('counts requests until their log phase, delays over conn, refuses over conn + burst', async () => {
    const chain = chainFor({ 'limit-conn': { conn: 1, burst: 1, defaultConnDelay: 0.01 } });
    const first = makeContext();
    expect(chain.runRequest(first)).toBeUndefined();
    // Second in flight: over conn, within burst: waits one delay unit.
    const second = makeContext();
    const waiting = chain.runRequest(second);
    expect(waiting).toBeInstanceOf(Promise);
    expect(await waiting).toBeUndefined();
    // Third: over conn + burst.
    const third = await exchange(chain, makeContext());
    expect(third.status).toBe(503);
    chain.runLog(third.ctx, 503, 1); // a refused request releases nothing
    expect((await exchange(chain, makeContext())).status).toBe(503);
    chain.runLog(first, 200, 5);
    chain.runLog(first, 200, 5); // released once only
    const fourth = makeContext();
    expect(await chain.runRequest(fourth)).toBeUndefined();
    expect((await exchange(chain, makeContext())).status).toBe(503);
    chain.runLog(second, 200, 5);
    chain.runLog(fourth, 200, 5);
    expect(chain.runRequest(makeContext())).toBeUndefined();
  });

  it('releases a request another plugin refused after limit-conn counted it', async () => {
    // limit-count (1002) runs after limit-conn (1003) and refuses the second request.
    const chain = chainFor({
      'limit-conn': { conn: 1, burst: 0, defaultConnDelay: 1, rejectedCode: 429, rejectedMsg: 'busy' },
      'limit-count': { count: 1, timeWindow: 60 },
    });
    const a = await exchange(chain, makeContext());
    expect(a.status).toBe(200);
    chain.runLog(a.ctx, 200, 1);
    const b = await exchange(chain, makeContext());
    expect(b.status).toBe(429);
    expect(b.body).toBeUndefined(); // limit-count's refusal, not limit-conn's
    chain.runLog(b.ctx, 429, 1);
    const c = await exchange(chain, makeContext());
    expect(c.body).toBeUndefined(); // still limit-count: limit-conn's slot was released
  });

  it('keys by a variable and rejects bad configs', async () => {
    const chain = chainFor({ 'limit-conn': { conn: 1, burst: 0, defaultConnDelay: 1, key: 'http_x_user' } });
    expect((await exchange(chain, makeContext({ headers: { 'x-user': 'a' } }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ headers: { 'x-user': 'a' } }))).status).toBe(503);
    expect((await exchange(chain, makeContext({ headers: { 'x-user': 'b' } }))).status).toBe(200);
    expect(() => chainFor({ 'limit-conn': { conn: 0, burst: 0, defaultConnDelay: 1 } })).toThrow(/limit-conn\/conn/);
    expect(() => chainFor({ 'limit-conn': { conn: 1, burst: 0 } as never })).toThrow(/limit-conn/);
  });
});
