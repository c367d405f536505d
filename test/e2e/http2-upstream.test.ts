// HTTP/2 towards upstreams by `scheme`: h2c (prior knowledge) and h2 (TLS, ALPN), from both
// HTTP/1.1 and HTTP/2 clients, through a real `gateway data-plane` and real node:http2 servers.
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let pki: TestPki;
const servers: (http2.Http2Server | http2.Http2SecureServer)[] = [];

/** Answers JSON describing what it received, over whatever HTTP/2 transport it was given. */
function echoHandler(name: string) {
  return (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const status = /\/status\/(\d{3})$/.exec(req.url);
      if (status) res.statusCode = Number(status[1]);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream', name);
      res.end(
        JSON.stringify({
          name,
          httpVersion: req.httpVersion,
          method: req.method,
          url: req.url,
          authority: req.headers[':authority'],
          headers: req.headers,
          body,
        }),
      );
    });
  };
}

async function listen(server: http2.Http2Server | http2.Http2SecureServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}

function h2Request(origin: string, path: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const session = http2.connect(origin);
    session.on('error', reject);
    const req = session.request({ ':path': path, ':method': body ? 'POST' : 'GET' });
    let data = '';
    let status = 0;
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: string) => (data += c));
    req.on('end', () => {
      session.close();
      resolve({ status, body: data });
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  pki = makeTestPki();
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('h2up');
  const h2cPort = await listen(http2.createServer(echoHandler('h2c')));
  const tlsServer = http2.createSecureServer(
    { cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey), allowHTTP1: false },
    echoHandler('h2-tls'),
  );
  const h2Port = await listen(tlsServer);
  await put('upstreams', 'h2c', { scheme: 'h2c', nodes: [{ host: '127.0.0.1', port: h2cPort }] });
  await put('upstreams', 'h2', {
    scheme: 'h2',
    nodes: [{ host: '127.0.0.1', port: h2Port }],
    tls: { verify: true, ca: fs.readFileSync(pki.ca, 'utf8'), sni: 'localhost' },
  });
  // A dead node first: a request with no body moves on to the live one.
  await put('upstreams', 'h2c-retry', {
    scheme: 'h2c',
    type: 'roundrobin',
    retries: 1,
    nodes: [
      { host: '127.0.0.1', port: await freePort() },
      { host: '127.0.0.1', port: h2cPort },
    ],
  });
  await put('routes', 'to-h2c', {
    match: { paths: [{ type: 'prefix', value: '/h2c' }] },
    backends: [{ upstreamId: 'h2c' }],
    plugins: {
      'proxy-rewrite': { headers: { set: { 'X-Added': 'by-gateway' }, remove: ['X-Drop'] } },
      'response-rewrite': { headers: { set: { 'X-Served-By': 'sluice' } } },
    },
  });
  await put('routes', 'to-h2', { match: { paths: [{ type: 'prefix', value: '/h2tls' }] }, backends: [{ upstreamId: 'h2' }] });
  await put('routes', 'to-retry', { match: { paths: [{ type: 'prefix', value: '/retry' }] }, backends: [{ upstreamId: 'h2c-retry' }] });
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/h2c/ready`)).status === 200, 15_000, 'h2c route');
});

afterAll(async () => {
  await dp?.stop();
  client?.close();
  for (const s of servers) s.close();
  await etcd?.stop();
  pki?.cleanup();
});

describe('HTTP/2 upstreams', () => {
  it('carries an HTTP/1.1 request with a body to an h2c upstream and its response back', async () => {
    const res = await fetch(`http://127.0.0.1:${dp.ports.http}/h2c/post?q=1`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
      headers: { 'x-test': 'one', 'x-drop': 'me' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('h2c');
    expect(res.headers.get('x-served-by')).toBe('sluice');
    const seen = await res.json();
    expect(seen.httpVersion).toBe('2.0');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/h2c/post?q=1');
    expect(seen.body.length).toBe(100_000);
    expect(seen.headers['x-test']).toBe('one');
    expect(seen.headers['x-added']).toBe('by-gateway');
    expect(seen.headers['x-drop']).toBeUndefined();
    expect(seen.authority).toBe(`127.0.0.1:${dp.ports.http}`);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers.connection).toBeUndefined();
  });

  it('passes the upstream status through', async () => {
    const res = await fetch(`http://127.0.0.1:${dp.ports.http}/h2c/status/418`);
    expect(res.status).toBe(418);
    expect((await res.json()).name).toBe('h2c');
  });

  it('carries an h2c client to an h2c upstream', async () => {
    const r = await h2Request(`http://127.0.0.1:${dp.ports.http}`, '/h2c/from-h2', 'hi');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.httpVersion).toBe('2.0');
    expect(seen.body).toBe('hi');
    expect(seen.headers['x-added']).toBe('by-gateway');
  });

  it('speaks h2 over TLS (ALPN) to an upstream whose certificate it verifies', async () => {
    const res = await fetch(`http://127.0.0.1:${dp.ports.http}/h2tls/x`);
    expect(res.status).toBe(200);
    const seen = await res.json();
    expect(seen.name).toBe('h2-tls');
    expect(seen.httpVersion).toBe('2.0');
  });

  it('retries a node that refuses the connection, and answers 502 when none is left', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${dp.ports.http}/retry/${i}`);
      expect(res.status).toBe(200);
      expect((await res.json()).name).toBe('h2c');
    }
    await put('upstreams', 'h2c', { scheme: 'h2c', nodes: [{ host: '127.0.0.1', port: await freePort() }] });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/h2c/gone`)).status === 502, 10_000, '502 from a dead h2c upstream');
  });
});
