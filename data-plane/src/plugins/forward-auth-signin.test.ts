import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signinLocation } from './forward-auth.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('forward-auth signin', () => {
  let auth: Server;
  let uri = '';
  beforeAll(async () => {
    // A real auth service: 401 unless the request carries the right token.
    auth = createServer((req, res) => {
      res.statusCode = req.headers.authorization === 'Bearer ok' ? 200 : 401;
      res.end();
    });
    await new Promise<void>((r) => auth.listen(0, '127.0.0.1', r));
    uri = `http://127.0.0.1:${(auth.address() as AddressInfo).port}/check`;
  });
  afterAll(() => new Promise<void>((r) => auth.close(() => r())));

  it('builds the sign-in URL with the original URL in rd', () => {
    const ctx = makeContext({ path: '/cart', query: 'a=1&b=2', headers: { host: 'shop.example' }, scheme: 'https' });
    expect(signinLocation(ctx, 'https://login.example/start', 'rd')).toBe(
      `https://login.example/start?rd=${encodeURIComponent('https://shop.example/cart?a=1&b=2')}`,
    );
    expect(signinLocation(ctx, 'https://login.example/start?x=1#top', 'next')).toBe(
      `https://login.example/start?x=1&next=${encodeURIComponent('https://shop.example/cart?a=1&b=2')}#top`,
    );
  });

  it('turns a 401 into a 302 to the sign-in page, and lets a 2xx through', async () => {
    const chain = chainFor({ 'forward-auth': { uri, requestHeaders: ['Authorization'], signin: { url: 'https://login.example/' } } });
    const denied = await exchange(chain, makeContext({ path: '/x', headers: { host: 'a.example' } }));
    expect(denied.status).toBe(302);
    expect(denied.headers.location).toBe(`https://login.example/?rd=${encodeURIComponent('http://a.example/x')}`);
    const allowed = await exchange(chain, makeContext({ headers: { host: 'a.example', authorization: 'Bearer ok' } }));
    expect(allowed.answered).toBe(false);
  });

  it('without signin a 401 goes to the client as it is', async () => {
    const denied = await exchange(chainFor({ 'forward-auth': { uri } }), makeContext({ headers: { host: 'a.example' } }));
    expect(denied.status).toBe(401);
  });
});
