// One TLS front, one SNI/Host rule (RFC 9110 §15.5.20, nginx's behaviour): a request whose
// Host needs another certificate or another client-certificate policy than the TLS server
// name chose is answered 421 Misdirected Request, on HTTP/1.1 and HTTP/2, on the main HTTPS
// port and on Gateway listeners alike. Otherwise mTLS would be enforced by SNI only: a client
// without a certificate could name an open host in SNI and the protected one in Host.
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { RawClient } from '../helpers/raw-client.js';
import { makeCerts, type TestCerts } from '../e2e/stream-fixtures.js';
import { nodeOf, responses, settle, startEdge, type Edge } from './edge-fixture.js';

let edge: Edge;
let certs: TestCerts;
let clientPki: TestCerts;
let listenerPort: number;
const LISTENER_ADDRESS = '127.0.1.9';

beforeAll(async () => {
  certs = makeCerts(['open.test', 'other.test', 'mtls.test', '*.wild.test', 'lopen.test', 'lmtls.test']);
  clientPki = makeCerts(['client']);
  listenerPort = await freePort(LISTENER_ADDRESS);
  const gateway = { namespace: 'default', name: 'edge' };
  edge = await startEdge(
    ['open', 'private'],
    (up) => [
      ['upstreams', 'open', nodeOf(up.open)],
      ['upstreams', 'private', nodeOf(up.private)],
      ['ssls', 'open', { snis: ['open.test'], ...certs.leaf('open.test') }],
      ['ssls', 'other', { snis: ['other.test'], ...certs.leaf('other.test') }],
      ['ssls', 'wild', { snis: ['*.wild.test'], ...certs.leaf('*.wild.test') }],
      ['ssls', 'mtls', { snis: ['mtls.test'], ...certs.leaf('mtls.test'), clientCa: clientPki.ca }],
      ['routes', 'mtls', { match: { hosts: ['mtls.test'], paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'private' }] }],
      ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
      // The same pair as Gateway listeners sharing one socket.
      ['ssls', 'lopen', { snis: ['lopen.test'], ...certs.leaf('lopen.test') }],
      ['ssls', 'lmtls', { snis: ['lmtls.test'], ...certs.leaf('lmtls.test') }],
      [
        'listeners',
        'lopen',
        { gateway, address: LISTENER_ADDRESS, port: 443, protocol: 'HTTPS', hostname: 'lopen.test', tls: { mode: 'Terminate', sslIds: ['lopen'] } },
      ],
      [
        'listeners',
        'lmtls',
        {
          gateway,
          address: LISTENER_ADDRESS,
          port: 443,
          protocol: 'HTTPS',
          hostname: 'lmtls.test',
          tls: { mode: 'Terminate', sslIds: ['lmtls'], clientCa: clientPki.ca },
        },
      ],
      ['routes', 'l-open', { listeners: ['lopen'], backends: [{ upstreamId: 'open' }] }],
      ['routes', 'l-mtls', { listeners: ['lmtls'], backends: [{ upstreamId: 'private' }] }],
    ],
    { 'port-map': `443:${listenerPort}` },
  );
});
afterAll(async () => {
  await edge?.stop();
  certs?.cleanup();
  clientPki?.cleanup();
});
beforeEach(() => edge.resetUpstreams());

/** One HTTP/1.1 request over TLS with raw bytes: SNI `servername`, `Host: host`. */
async function h1(
  servername: string,
  host: string,
  opts: { port?: number; address?: string; client?: { cert: string; key: string } } = {},
): Promise<number | 'refused'> {
  const c = new RawClient(opts.port ?? edge.httpsPort, {
    host: opts.address ?? '127.0.0.1',
    servername,
    ca: certs.ca,
    ALPNProtocols: ['http/1.1'],
    ...opts.client,
  });
  await new Promise<void>((resolve) => {
    c.socket.once('secureConnect', resolve);
    c.socket.once('close', resolve);
  });
  if (c.closed) return 'refused';
  c.write(`GET /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  await c.until((x) => x.closed || responses(x.text).length > 0);
  c.close();
  return responses(c.text, true)[0]?.status ?? 'refused';
}

/** One HTTP/2 request: SNI `servername`, `:authority: authority`. */
async function h2(servername: string, authority: string, client?: { cert: string; key: string }): Promise<number | 'refused'> {
  const session = http2.connect(`https://127.0.0.1:${edge.httpsPort}`, { servername, ca: certs.ca, ...client });
  try {
    return await new Promise<number | 'refused'>((resolve) => {
      session.on('error', () => resolve('refused'));
      const req = session.request({ ':path': '/x', ':authority': authority });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', () => resolve('refused'));
      req.resume();
      req.end();
    });
  } finally {
    session.close();
  }
}

describe('main HTTPS port', () => {
  it('SNI of a host without client-certificate checks and Host of one that requires them: 421, nothing proxied', async () => {
    expect(await h1('open.test', 'mtls.test')).toBe(421);
    expect(await h2('open.test', 'mtls.test')).toBe(421);
    await settle();
    expect(edge.up.private.requests).toEqual([]);
  });

  it('the protected host is served to a client that presented a certificate for it', async () => {
    expect(await h1('mtls.test', 'mtls.test', { client: clientPki.leaf('client') })).toBe(200);
    expect(await h2('mtls.test', 'mtls.test', clientPki.leaf('client'))).toBe(200);
    expect(edge.up.private.requests).toHaveLength(2);
  });

  it('without a client certificate the protected name is refused in the handshake', async () => {
    expect(await h1('mtls.test', 'mtls.test')).toBe('refused');
    expect(edge.up.private.requests).toEqual([]);
  });

  it('a Host that needs another certificate than the SNI chose: 421', async () => {
    expect(await h1('open.test', 'other.test')).toBe(421);
    expect(await h2('open.test', 'other.test')).toBe(421);
    expect(edge.up.open.requests).toEqual([]);
  });

  it('a Host covered by the same certificate is served (connection reuse across names)', async () => {
    expect(await h1('a.wild.test', 'b.wild.test')).toBe(200);
    expect(await h2('a.wild.test', 'b.wild.test')).toBe(200);
    expect(await h1('open.test', 'OPEN.test:443')).toBe(200);
    expect(edge.up.open.requests).toHaveLength(3);
  });

  it('the client certificate policy of the Host counts even when the SNI named the protected host', async () => {
    // SNI mtls.test with a certificate, then Host of an open name: another certificate → 421 too.
    expect(await h1('mtls.test', 'open.test', { client: clientPki.leaf('client') })).toBe(421);
  });
});

describe('Gateway listeners share the rule', () => {
  it('SNI of the open listener and Host of the mTLS one: 421 on HTTP/1.1', async () => {
    expect(await h1('lopen.test', 'lmtls.test', { port: listenerPort, address: LISTENER_ADDRESS })).toBe(421);
    await settle();
    expect(edge.up.private.requests).toEqual([]);
  });

  it('each listener serves its own host', async () => {
    expect(await h1('lopen.test', 'lopen.test', { port: listenerPort, address: LISTENER_ADDRESS })).toBe(200);
    expect(await h1('lmtls.test', 'lmtls.test', { port: listenerPort, address: LISTENER_ADDRESS, client: clientPki.leaf('client') })).toBe(200);
  });
});

describe("TLS facts are the gateway's, never the client's", () => {
  it('X-Forwarded-Proto is https over TLS whatever the client sent', async () => {
    const c = new RawClient(edge.httpsPort, { servername: 'open.test', ca: certs.ca });
    await new Promise((r) => c.socket.once('secureConnect', r));
    c.write('GET /x HTTP/1.1\r\nHost: open.test\r\nX-Forwarded-Proto: http\r\nX_Forwarded_Proto: http\r\n\r\n');
    await c.until((x) => responses(x.text).length > 0);
    c.close();
    expect((c.socket as TLSSocket).encrypted).toBe(true);
    const [received] = edge.up.open.requests;
    expect(received.headers['x-forwarded-proto']).toBe('https');
    expect(Object.keys(received.headers).filter((n) => n.replace(/_/g, '-') === 'x-forwarded-proto')).toEqual(['x-forwarded-proto']);
  });
});
