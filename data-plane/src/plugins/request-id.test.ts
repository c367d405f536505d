import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('request-id', () => {
  it('makes a UUID, sends it upstream and back', async () => {
    const res = await exchange(chainFor({ 'request-id': {} }), makeContext());
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.ctx.upstreamHeaderOps).toEqual([expect.objectContaining({ op: 'set', name: 'X-Request-Id', value: id })]);
  });

  it("keeps the client's id and can stay out of the response", async () => {
    const res = await exchange(chainFor({ 'request-id': { headerName: 'X-Trace', includeInResponse: false } }), makeContext({ headers: { 'x-trace': 'abc' } }));
    expect(res.headers['x-trace']).toBeUndefined();
    expect(res.ctx.vars.requestId).toBe('abc');
    expect(res.ctx.upstreamHeaderOps).toBeUndefined();
  });
});
