// gzip and brotli: bodies compressed as they stream, only when the client and the response qualify.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

const page = '<html>' + 'hello sluice '.repeat(2000) + '</html>';
const big = Buffer.alloc(8 * 1024 * 1024, 'abcdefghij'.repeat(100));
let etcd: TestEtcd;
let dp: GatewayProcess;
let upstream: http.Server;

function get(path: string, acceptEncoding?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: dp.ports.http, path, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  etcd = await startEtcd();
  upstream = http.createServer((req, res) => {
    if (req.url!.startsWith('/small')) return res.writeHead(200, { 'content-type': 'text/html', 'content-length': 9 }).end('<p>hi</p>');
    if (req.url!.startsWith('/big')) return res.writeHead(200, { 'content-type': 'text/html', 'content-length': big.length }).end(big);
    if (req.url!.startsWith('/image')) return res.writeHead(200, { 'content-type': 'image/png' }).end(page);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  const prefix = etcd.prefix('compress');
  const client = new Etcd3({ hosts: etcd.endpoint });
  await client.put(`${prefix}/upstreams/u`).value(JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port }] }));
  await client.put(`${prefix}/routes/gz`).value(
    JSON.stringify({
      id: 'gz',
      match: { paths: [{ type: 'prefix', value: '/' }] },
      backends: [{ upstreamId: 'u' }],
      plugins: { gzip: { types: ['text/html'], minLength: 100, vary: true } },
    }),
  );
  await client.put(`${prefix}/routes/both`).value(
    JSON.stringify({
      id: 'both',
      match: { paths: [{ type: 'prefix', value: '/both' }] },
      backends: [{ upstreamId: 'u' }],
      plugins: { gzip: { types: '*' }, brotli: { types: '*' } },
    }),
  );
  client.close();
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  await waitFor(async () => (await get('/page', 'gzip')).headers['content-encoding'] === 'gzip', 15_000, 'gzip route');
});

afterAll(async () => {
  await dp?.stop();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
  await etcd?.stop();
});

describe('response compression', () => {
  it('gzips an HTML page for a client that accepts gzip, and only then', async () => {
    const zipped = await get('/page', 'gzip, deflate');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-length']).toBeUndefined();
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(page.length / 10);
    expect(zlib.gunzipSync(zipped.body).toString()).toBe(page);
    const plain = await get('/page');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(page);
    expect((await get('/page', 'gzip;q=0')).headers['content-encoding']).toBeUndefined();
  });

  it('leaves small bodies and other types alone', async () => {
    expect((await get('/small', 'gzip')).headers['content-encoding']).toBeUndefined();
    expect((await get('/image', 'gzip')).headers['content-encoding']).toBeUndefined();
  });

  it('prefers brotli when the client accepts both', async () => {
    const r = await get('/both/page', 'gzip, br');
    expect(r.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(r.body).toString()).toBe(page);
  });

  it('streams a large body through the compressor intact', async () => {
    const r = await get('/big', 'gzip');
    expect(r.headers['content-encoding']).toBe('gzip');
    const out = zlib.gunzipSync(r.body);
    expect(createHash('sha256').update(out).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });
});
