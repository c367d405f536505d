import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('response-rewrite', () => {
  it('changes status and headers of the upstream response', async () => {
    const chain = chainFor({ 'response-rewrite': { statusCode: 202, headers: { set: { 'X-Served-By': 'sluice' }, remove: ['Server'] } } });
    const res = await exchange(chain, makeContext(), ['Server', 'nginx', 'Content-Length', '5']);
    expect(res.status).toBe(202);
    expect(res.headers).toEqual({ 'x-served-by': 'sluice', 'content-length': '5' });
    expect(res.body).toBeUndefined();
  });

  it('replaces the body and drops the headers that described the old one', async () => {
    const res = await exchange(chainFor({ 'response-rewrite': { body: 'aGk=', bodyBase64: true } }), makeContext(), [
      'Content-Length',
      '100',
      'Content-Encoding',
      'gzip',
      'Transfer-Encoding',
      'chunked',
      'X-Keep',
      '1',
    ]);
    expect(res.headers).toEqual({ 'x-keep': '1' });
    expect(Buffer.from(res.body as Buffer).toString()).toBe('hi');
  });

  it('rejects a body that is not base64 when bodyBase64 is set', () => {
    expect(() => chainFor({ 'response-rewrite': { body: 'not base64!', bodyBase64: true } })).toThrow(/response-rewrite\/body/);
  });
});
