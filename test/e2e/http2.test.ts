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
  echo = await startHttpEcho('echo');
  const prefix = etcd.prefix('h2');
  const client = new Etcd3({ hosts: etcd.endpoint });
  await client.put(`${prefix}/upstreams/u`).value(JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port: echo.port }] }));
  await client.put(`${prefix}/routes/r`).value(JSON.stringify({ id: 'r', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'u' }] }));
  await client.put(`${prefix}/ssls/local`).value(
    JSON.stringify({ id: 'local', snis: ['localhost'], cert: fs.readFileSync(pki.serverCert, 'utf8'), key: fs.readFileSync(pki.serverKey, 'utf8') }),
  );
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

  it('still serves HTTP/1.1 on the HTTP port', async () => {
    const r = await fetch(`http://127.0.0.1:${dp.ports.http}/h1`);
    expect(r.status).toBe(200);
    expect((await r.json()).url).toBe('/h1');
  });
});
