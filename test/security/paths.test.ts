// Path tricks (RFC 3986 §5.2.4 dot segments, §6.2.2 percent-encoding normalization, merged
// slashes, backslashes, encoded slashes): the route is chosen on the same path the upstream
// receives. With `/` open and `/private` behind key-auth, no spelling of `/private/...` may
// reach an upstream through the open route, and what the private route forwards is the
// normalized path it matched.
import http2 from 'node:http2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAndPrivate, responses, settle, startEdge, type Edge, type RawResponse } from './edge-fixture.js';
import { decodedPath, resolvedByUpstream } from './path-oracle.js';

let edge: Edge;

beforeAll(async () => {
  edge = await startEdge(['open', 'private'], openAndPrivate);
});
afterAll(async () => {
  await edge?.stop();
});
beforeEach(() => edge.resetUpstreams());

async function get(target: string, headers = ''): Promise<RawResponse> {
  const c = edge.raw();
  c.write(`GET ${target} HTTP/1.1\r\nHost: edge.test\r\n${headers}\r\n`);
  await c.until((x) => x.closed || responses(x.text).length > 0, 5000, `an answer to ${target}`);
  c.close();
  const [res] = responses(c.text, true);
  return res;
}

const TRICKS = [
  '/public/../private/x',
  '/public/%2e%2e/private/x',
  '/public/%2E%2e/private/x',
  '/public/.%2e/private/x',
  '/public/%2e./private/x',
  '//private/x',
  '///private/x',
  '/./private/x',
  '/public/./../private/x',
  '/%70rivate/x',
  '/%70%72%69%76%61%74%65/x',
  '/public/..%2fprivate/x',
  '/public/..%2Fprivate/x',
  '/public%2f..%2fprivate/x',
  '/public/..%5cprivate/x',
  '/public\\..\\private\\x',
  '/public/..;/private/x',
  '/x/../../private/x',
  '/private%2fx',
];

describe('every spelling of /private goes through key-auth', () => {
  it.each(TRICKS)('%s without a key never reaches an upstream under /private', async (target) => {
    const res = await get(target);
    await settle(50);
    expect([301, 302, 307, 308, 400, 401, 404]).toContain(res.status);
    for (const r of edge.up.open.requests) expect(resolvedByUpstream(r.url)).not.toMatch(/^\/private(\/|$)/);
    expect(edge.up.private.requests).toEqual([]);
  });

  it.each(TRICKS)('%s with the key reaches the private upstream as its normalized path, or is refused', async (target) => {
    const res = await get(target, 'apikey: alice-key\r\n');
    await settle(50);
    for (const r of edge.up.open.requests) expect(resolvedByUpstream(r.url)).not.toMatch(/^\/private(\/|$)/);
    if (res.status === 200) {
      const [received] = edge.up.private.requests;
      // The upstream received exactly what the gateway routed: a normalized path, nothing to resolve.
      expect(resolvedByUpstream(received.url)).toBe(decodedPath(received.url));
      expect(received.url).toMatch(/^\/private\//);
    }
  });
});

describe('normalization is forwarded, not only matched', () => {
  it('dot segments and merged slashes: the upstream receives the path the route matched', async () => {
    expect((await get('/a//b/./c/../d')).status).toBe(200);
    expect(edge.up.open.urls()).toEqual(['/a/b/d']);
  });

  it('unreserved characters are decoded, reserved ones keep their escapes, the query is untouched', async () => {
    expect((await get('/%61%7Eb/%3F%20x?q=%2e%2E/..//')).status).toBe(200);
    expect(edge.up.open.urls()).toEqual(['/a~b/%3F%20x?q=%2e%2E/..//']);
  });

  it('lower-case escapes are written in upper case (RFC 3986 §6.2.2.1)', async () => {
    expect((await get('/a%3fb')).status).toBe(200);
    expect(edge.up.open.urls()).toEqual(['/a%3Fb']);
  });

  it('an encoded slash is redirected to its decoded, normalized path by default', async () => {
    const res = await get('/public%2F..%2Fprivate/x?k=1');
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe('/private/x?k=1');
    expect(edge.up.open.requests).toEqual([]);
  });

  it('a path that climbs above the root is refused', async () => {
    // RFC 3986 removes such segments; refusing them too shows the client's intent, harmlessly.
    const res = await get('/../private/x');
    expect([400, 401]).toContain(res.status);
    expect(edge.up.open.requests).toEqual([]);
  });

  it('an encoded NUL or control character in the path is refused', async () => {
    expect((await get('/private%00/x')).status).toBe(400);
    expect((await get('/a%0d%0aX-Injected:%201')).status).toBe(400);
    expect(edge.up.open.requests).toEqual([]);
  });
});

describe('HTTP/2 paths take the same normalization', () => {
  it('h2c :path tricks never reach an upstream under /private without a key', async () => {
    const session = http2.connect(`http://127.0.0.1:${edge.httpPort}`);
    try {
      for (const target of ['/public/../private/x', '/public/%2e%2e/private/x', '//private/x', '/%70rivate/x', '/public/..%2fprivate/x']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = session.request({ ':path': target, ':authority': 'edge.test' });
          req.on('response', (h) => resolve(Number(h[':status'])));
          req.on('error', reject);
          req.resume();
          req.end();
        });
        expect([307, 400, 401, 404]).toContain(status);
      }
      await settle(50);
      for (const r of edge.up.open.requests) expect(resolvedByUpstream(r.url)).not.toMatch(/^\/private(\/|$)/);
      expect(edge.up.private.requests).toEqual([]);
    } finally {
      session.close();
    }
  });
});
