// HTTP/2 from clients: h2 over TLS (ALPN) and h2c with prior knowledge, proxied to an
// HTTP/1.1 upstream through the same routes; HTTP/1.1 keeps working on both ports.
import fs from 'node:fs';
import http2 from 'node:http2';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let etcd: TestEtcd;
let dp: GatewayProcess;
let echo: EchoServer;
let pki: TestPki;

function h2Get(origin: string, path: string, opts: http2.SecureClientSessionOptions = {}, body?: string) {
  return new Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string; alpn?: string }>((resolve, reject) => {
    const session = http2.connect(origin, opts);
    session.on('error', reject);
    const req = session.request({ ':path': path, ':method': body ? 'POST' : 'GET', 'x-test': 'h2' });
    let data = '';
    let headers: http2.IncomingHttpHeaders = {};
    req.setEncoding('utf8');
    req.on('response', (h) => (headers = h));
    req.on('data', (c: string) => (data += c));
    req.on('end', () => {
      const alpn = (session.socket as unknown as { alpnProtocol?: string }).alpnProtocol;
      session.close();
      resolve({ status: Number(headers[':status']), headers, body: data, alpn: alpn || undefined });
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  pki = makeTestPki();
  etcd = await startEtcd();
  // /raw answers with the header lines exactly as they arrived (node:http joins repeated ones).
  echo = await startHttpEcho('echo', (req, res) => {
    if (!req.url?.startsWith('/raw')) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.rawHeaders));
    return true;
  });
  const prefix = etcd.prefix('h2');
  const client = new Etcd3({ hosts: etcd.endpoint });
  await client.put(`${prefix}/upstreams/u`).value(JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port: echo.port }] }));
  await client
    .put(`${prefix}/routes/r`)
    .value(JSON.stringify({ id: 'r', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'u' }] }));
  await client.put(`${prefix}/routes/deny`).value(
    JSON.stringify({
      id: 'deny',
      match: { paths: [{ type: 'prefix', value: '/deny' }] },
      backends: [{ upstreamId: 'u' }],
      plugins: { 'ip-restriction': { blacklist: ['127.0.0.0/8', '::1'] } },
    }),
  );
  await client
    .put(`${prefix}/ssls/local`)
    .value(JSON.stringify({ id: 'local', snis: ['localhost'], cert: fs.readFileSync(pki.serverCert, 'utf8'), key: fs.readFileSync(pki.serverKey, 'utf8') }));
  client.close();
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/ready`)).status === 200, 15_000, 'route');
});

afterAll(async () => {
  await dp?.stop();
  await echo?.close();
  await etcd?.stop();
  pki?.cleanup();
});

describe('HTTP/2', () => {
  it('serves h2c with prior knowledge on the HTTP port', async () => {
    const r = await h2Get(`http://127.0.0.1:${dp.ports.http}`, '/h2c?x=1');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.url).toBe('/h2c?x=1');
    expect(seen.headers['x-test']).toBe('h2');
    expect(seen.headers.host).toBe(`127.0.0.1:${dp.ports.http}`);
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(r.headers['x-upstream']).toBe('echo');
  });

  it('serves h2 over TLS chosen by ALPN, with the body streamed upstream', async () => {
    const r = await h2Get(`https://localhost:${dp.ports.https}`, '/tls', { ca: fs.readFileSync(pki.ca), servername: 'localhost' }, 'hello over h2');
    expect(r.alpn).toBe('h2');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('hello over h2');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });

  it('joins cookie crumbs into one Cookie line for the HTTP/1.1 upstream (RFC 9113 §8.2.3)', async () => {
    const session = http2.connect(`http://127.0.0.1:${dp.ports.http}`);
    try {
      const req = session.request({ ':path': '/raw', cookie: ['a=1', 'b=2', 'c=3'] });
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (data += c));
      await new Promise((r) => req.on('end', r));
      const raw: string[] = JSON.parse(data);
      const cookies = raw.filter((_, i) => i % 2 === 0 && raw[i].toLowerCase() === 'cookie').length;
      expect(cookies).toBe(1);
      expect(raw[raw.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'cookie') + 1]).toBe('a=1; b=2; c=3');
    } finally {
      session.close();
    }
  });

  it('answers a refused request to a client that takes trailers, and the stream ends', async () => {
    // A Host beside :authority naming another authority is refused before any exchange exists.
    const session = http2.connect(`http://127.0.0.1:${dp.ports.http}`);
    try {
      // node:http2 sends a lone `host` as the authority itself, so name both explicitly.
      const req = session.request({ ':path': '/x', ':authority': `127.0.0.1:${dp.ports.http}`, host: 'elsewhere.example', te: 'trailers' });
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.resume();
      const ended = await Promise.race([new Promise((r) => req.on('end', () => r('ended'))), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
      expect(ended).toBe('ended');
      expect(status).toBe(400);
    } finally {
      session.close();
    }
  });

  it('sends 100 Continue only once the request was let through, then carries the body', async () => {
    const session = http2.connect(`http://127.0.0.1:${dp.ports.http}`);
    try {
      const req = session.request({ ':path': '/continue', ':method': 'POST', expect: '100-continue', 'content-length': '5' });
      let data = '';
      let status = 0;
      req.setEncoding('utf8');
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: string) => (data += c));
      const continued = await Promise.race([new Promise((r) => req.once('continue', () => r(true))), new Promise((r) => setTimeout(() => r(false), 5000))]);
      expect(continued).toBe(true);
      req.end('hello');
      await new Promise((r) => req.on('end', r));
      expect(status).toBe(200);
      expect(JSON.parse(data).body).toBe('hello');
    } finally {
      session.close();
    }
  });

  it('refuses a request with Expect: 100-continue in its access phase without ever inviting the body', async () => {
    const session = http2.connect(`http://127.0.0.1:${dp.ports.http}`);
    try {
      const before = echo.count;
      const req = session.request({ ':path': '/deny', ':method': 'POST', expect: '100-continue', 'content-length': '5' });
      let continued = false;
      let status = 0;
      req.on('continue', () => (continued = true));
      req.on('response', (h) => (status = Number(h[':status'])));
      req.resume();
      await new Promise((r) => req.on('close', r));
      expect(status).toBe(403);
      expect(continued).toBe(false);
      expect(echo.count).toBe(before);
    } finally {
      session.close();
    }
  });

  it('still serves HTTP/1.1 on the HTTP port', async () => {
    const r = await fetch(`http://127.0.0.1:${dp.ports.http}/h1`);
    expect(r.status).toBe(200);
    expect((await r.json()).url).toBe('/h1');
  });
});
