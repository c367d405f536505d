import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('client-control', () => {
  it('answers 413 when Content-Length exceeds maxBodySize', async () => {
    const chain = chainFor({ 'client-control': { maxBodySize: 10 } });
    expect((await exchange(chain, makeContext({ method: 'POST', headers: { 'content-length': '11' } }))).status).toBe(413);
    expect((await exchange(chain, makeContext({ method: 'POST', headers: { 'content-length': '10' } }))).status).toBe(200);
    // No length (chunked): passes here, the limit is left for the proxy to count.
    const chunked = await exchange(chain, makeContext({ method: 'POST', headers: { 'transfer-encoding': 'chunked' } }));
    expect(chunked.status).toBe(200);
    expect(chunked.ctx.vars.maxBodySize).toBe(10);
  });

  it('rejects a negative size at validation', () => {
    expect(() => chainFor({ 'client-control': { maxBodySize: -1 } })).toThrow(/client-control\/maxBodySize/);
  });
});
