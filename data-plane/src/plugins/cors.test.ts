import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('cors', () => {
  it('answers a preflight itself with 204 and the allow headers', async () => {
    const chain = chainFor({
      cors: { allowOrigins: 'https://app.example.com', allowMethods: 'GET, POST', allowHeaders: 'X-Token', maxAge: 600, allowCredential: true },
    });
    const res = await exchange(
      chain,
      makeContext({ method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } }),
    );
    expect(res.answered).toBe(true);
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'X-Token',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
  });

  it('adds headers to normal responses of allowed origins only', async () => {
    const chain = chainFor({ cors: { allowOrigins: 'https://a.test', allowOriginsByRegex: ['^https://[a-z]+\\.b\\.test$'], exposeHeaders: 'X-Total' } });
    const allowed = await exchange(chain, makeContext({ headers: { origin: 'https://a.test' } }), ['Content-Type', 'text/plain']);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://a.test');
    expect(allowed.headers['access-control-expose-headers']).toBe('X-Total');
    const byRegex = await exchange(chain, makeContext({ headers: { origin: 'https://x.b.test' } }));
    expect(byRegex.headers['access-control-allow-origin']).toBe('https://x.b.test');
    const other = await exchange(chain, makeContext({ headers: { origin: 'https://evil.test' } }));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // Same-origin requests (no Origin) and an OPTIONS without Origin go to the upstream untouched.
    expect((await exchange(chain, makeContext())).headers['access-control-allow-origin']).toBeUndefined();
    expect((await exchange(chain, makeContext({ method: 'OPTIONS' }))).answered).toBe(false);
  });

  it("uses '*' without credentials, and echoes the request with credentials", async () => {
    const open = await exchange(chainFor({ cors: {} }), makeContext({ headers: { origin: 'https://any.test' } }));
    expect(open.headers['access-control-allow-origin']).toBe('*');
    expect(open.headers.vary).toBeUndefined();
    const creds = chainFor({ cors: { allowOriginsByRegex: ['.*'], allowCredential: true } });
    const pre = await exchange(
      creds,
      makeContext({
        method: 'OPTIONS',
        headers: { origin: 'https://x.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' },
      }),
    );
    expect(pre.headers).toMatchObject({
      'access-control-allow-origin': 'https://x.test',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'x-a',
    });
  });

  it("answers a preflight with a literal '*' for wildcard methods and headers without credentials", async () => {
    const chain = chainFor({ cors: { allowOrigins: 'https://x.test', allowMethods: '*', allowHeaders: '*' } });
    const pre = await exchange(chain, makeContext({ method: 'OPTIONS', headers: { origin: 'https://x.test', 'access-control-request-method': 'POST' } }));
    expect(pre.headers).toMatchObject({
      'access-control-allow-origin': 'https://x.test',
      'access-control-allow-methods': '*',
      'access-control-allow-headers': '*',
    });
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it("refuses '*' origins with credentials at validation", () => {
    expect(() => chainFor({ cors: { allowCredential: true } })).toThrow(/cors\/allowOrigins/);
  });

  it('adds its headers to answers of other plugins too (a 401 is readable by the page)', async () => {
    const chain = chainFor({ cors: {}, 'key-auth': {} });
    const res = await exchange(chain, makeContext({ headers: { origin: 'https://a.test' } }));
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
