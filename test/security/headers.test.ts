// Headers the gateway vouches for (RFC 9110 §7.6.1 hop-by-hop, §10.1.1 Expect), and state that
// must not cross requests on one kept-alive client connection. Judged by what the recording
// upstream received.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeOf, responses, settle, startEdge, type Edge } from './edge-fixture.js';

let edge: Edge;

beforeAll(async () => {
  edge = await startEdge(['open', 'private'], (up) => [
    ['upstreams', 'open', nodeOf(up.open)],
    ['upstreams', 'private', nodeOf(up.private)],
    ['consumers', 'alice', { plugins: { 'key-auth': { key: 'alice-key' } } }],
    ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
    ['routes', 'private', { match: { paths: [{ type: 'prefix', value: '/private' }] }, backends: [{ upstreamId: 'private' }], plugins: { 'key-auth': {} } }],
    [
      'routes',
      'certs',
      { match: { paths: [{ type: 'prefix', value: '/certs' }] }, backends: [{ upstreamId: 'open' }], plugins: { 'client-cert-headers': {} } },
    ],
  ]);
});
afterAll(async () => {
  await edge?.stop();
});
beforeEach(() => edge.resetUpstreams());

async function exchange(bytes: string, expected = 1): Promise<number[]> {
  const c = edge.raw();
  c.write(bytes);
  await c.until((x) => x.closed || responses(x.text).length >= expected);
  c.close();
  return responses(c.text, true).map((r) => r.status);
}

/** The header names the upstream received that read as `name` to a framework that folds `_` into `-`. */
function spellingsOf(headers: Record<string, unknown>, name: string): string[] {
  return Object.keys(headers).filter((n) => n.replace(/_/g, '-').toLowerCase() === name);
}

describe('gateway-set headers cannot be forged in any spelling', () => {
  it("x_consumer_username beside a valid key: the upstream sees only the gateway's X-Consumer-Username", async () => {
    expect(
      await exchange('GET /private/me HTTP/1.1\r\nHost: edge.test\r\napikey: alice-key\r\nx_consumer_username: admin\r\nX-Consumer-Username: admin\r\n\r\n'),
    ).toEqual([200]);
    const [received] = edge.up.private.requests;
    expect(spellingsOf(received.headers, 'x-consumer-username')).toEqual(['x-consumer-username']);
    expect(received.headers['x-consumer-username']).toBe('alice');
  });

  it('headers with underscores are dropped by default, as nginx does', async () => {
    expect(await exchange('GET /a HTTP/1.1\r\nHost: edge.test\r\nx_custom: 1\r\nX-Kept: 2\r\n\r\n')).toEqual([200]);
    const [received] = edge.up.open.requests;
    expect(received.headers.x_custom).toBeUndefined();
    expect(received.headers['x-kept']).toBe('2');
  });

  it("forwarding headers in other spellings never reach the upstream beside the gateway's", async () => {
    expect(
      await exchange('GET /a HTTP/1.1\r\nHost: edge.test\r\nx_forwarded_for: 6.6.6.6\r\nX_Real_IP: 6.6.6.6\r\nx_forwarded_host: evil.test\r\n\r\n'),
    ).toEqual([200]);
    const [received] = edge.up.open.requests;
    for (const name of ['x-forwarded-for', 'x-real-ip', 'x-forwarded-host']) expect(spellingsOf(received.headers, name)).toEqual([name]);
    expect(received.headers['x-real-ip']).toBe('127.0.0.1');
    expect(received.headers['x-forwarded-host']).toBe('edge.test');
  });

  it('client-certificate headers cannot be sent by a client without a certificate', async () => {
    expect(
      await exchange(
        'GET /certs HTTP/1.1\r\nHost: edge.test\r\nssl-client-verify: SUCCESS\r\nssl_client_subject_dn: CN=admin\r\nSSL-Client-Cert: forged\r\n\r\n',
      ),
    ).toEqual([200]);
    const [received] = edge.up.open.requests;
    expect(received.headers['ssl-client-verify']).toBe('NONE');
    expect(spellingsOf(received.headers, 'ssl-client-subject-dn')).toEqual(['ssl-client-subject-dn']);
    expect(received.headers['ssl-client-subject-dn']).toBe('');
    expect(received.headers['ssl-client-cert']).toBeUndefined();
  });

  it('X-Consumer-Username sent to a route without authentication is dropped', async () => {
    expect(await exchange('GET /a HTTP/1.1\r\nHost: edge.test\r\nX-Consumer-Username: admin\r\n\r\n')).toEqual([200]);
    expect(edge.up.open.requests[0].headers['x-consumer-username']).toBeUndefined();
  });
});

describe('Expect: 100-continue', () => {
  it('is not answered before the access phases: a request without a key gets 401 and no 100 Continue', async () => {
    const c = edge.raw();
    c.write('POST /private/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await c.until((x) => x.closed || responses(x.text).length > 0);
    await settle(100);
    c.close();
    expect(c.text).not.toContain('100 Continue');
    expect(responses(c.text, true)[0].status).toBe(401);
    expect(edge.up.private.requests).toEqual([]);
  });

  it('is answered once the request may go on, and the body follows', async () => {
    const c = edge.raw();
    c.write('POST /private/upload HTTP/1.1\r\nHost: edge.test\r\napikey: alice-key\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await c.until((x) => x.text.includes('100 Continue'));
    c.write('hello');
    await c.until((x) => responses(x.text).length > 0);
    c.close();
    expect(responses(c.text)[0].status).toBe(200);
    expect(edge.up.private.requests.map((r) => r.body.toString())).toEqual(['hello']);
  });

  it('a refused request whose body was never asked for does not leave the connection out of step', async () => {
    const c = edge.raw();
    c.write('POST /private/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 40\r\nExpect: 100-continue\r\n\r\n');
    await c.until((x) => x.closed || responses(x.text).length > 0);
    // The client, told no, sends its next request instead of the body: it must never become a body,
    // nor be misread. Either the connection closed after the 401, or the next request is served.
    c.write('GET /private/next HTTP/1.1\r\nHost: edge.test\r\n\r\n');
    await c.until((x) => x.closed || responses(x.text).length > 1, 3000).catch(() => undefined);
    c.close();
    const seen = responses(c.text, true).map((r) => r.status);
    expect(seen[0]).toBe(401);
    expect(seen.slice(1).every((s) => s === 401)).toBe(true);
    expect(edge.up.private.requests).toEqual([]);
  });
});

describe('nothing crosses requests on a kept-alive connection', () => {
  it('after a chunked request with a trailer, the next request keeps its own path and no trailer', async () => {
    const statuses = await exchange(
      'POST /first HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: leaked\r\n\r\n' +
        'GET /second HTTP/1.1\r\nHost: edge.test\r\n\r\n',
      2,
    );
    expect(statuses).toEqual([200, 200]);
    expect(edge.up.open.urls()).toEqual(['/first', '/second']);
    const second = edge.up.open.requests[1];
    expect(second.headers['x-trailer']).toBeUndefined();
    expect(second.trailers).toEqual({});
  });

  it('a request head split across many packets does not leak into the next one', async () => {
    const c = edge.raw();
    const first = 'GET /one/' + 'a'.repeat(3000) + ' HTTP/1.1\r\nHost: edge.test\r\nX-First: 1\r\n\r\n';
    for (let i = 0; i < first.length; i += 700) {
      c.write(first.slice(i, i + 700));
      await settle(5);
    }
    await c.until((x) => responses(x.text).length === 1);
    c.write('GET /two HTTP/1.1\r\nHost: edge.test\r\n\r\n');
    await c.until((x) => responses(x.text).length === 2);
    c.close();
    expect(edge.up.open.urls()).toEqual([`/one/${'a'.repeat(3000)}`, '/two']);
    expect(edge.up.open.requests[1].headers['x-first']).toBeUndefined();
  });

  it('the consumer of one request is not the consumer of the next', async () => {
    expect(
      await exchange('GET /private/a HTTP/1.1\r\nHost: edge.test\r\napikey: alice-key\r\n\r\nGET /private/b HTTP/1.1\r\nHost: edge.test\r\n\r\n', 2),
    ).toEqual([200, 401]);
    expect(edge.up.private.urls()).toEqual(['/private/a']);
  });
});
