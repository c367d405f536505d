import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdmin } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';

const KEY = 'down-key';
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };

let etcd: TestEtcd;
let app: FastifyInstance;

beforeAll(async () => {
  etcd = await startEtcd();
  app = await buildAdmin({ etcd: etcd.endpoint, prefix: etcd.prefix('admin-down'), adminKey: KEY, etcdTimeoutMs: 1500 });
});

afterAll(async () => {
  await app?.close();
  await etcd?.stop();
});

describe('etcd unavailable', () => {
  it('answers 503 quickly while etcd is down and recovers when it is back', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/v1/upstreams/u1', headers, payload: JSON.stringify({ nodes: [] }) });
    expect(put.statusCode).toBe(201);

    await etcd.kill();
    for (const req of [
      { method: 'GET' as const, url: '/api/v1/upstreams/u1' },
      { method: 'GET' as const, url: '/api/v1/upstreams' },
      { method: 'PUT' as const, url: '/api/v1/upstreams/u2', payload: JSON.stringify({ nodes: [] }) },
      { method: 'DELETE' as const, url: '/api/v1/upstreams/u1' },
    ]) {
      const started = Date.now();
      const res = await app.inject({ ...req, headers });
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(503);
      expect(res.json()).toMatchObject({ code: 'GW_ERR_ETCD_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);

    await etcd.restart();
    await waitFor(async () => (await app.inject({ url: '/api/v1/upstreams/u1', headers })).statusCode === 200, 20_000, 'admin API to reach etcd again');
    expect((await app.inject({ url: '/api/v1/upstreams/u2', headers })).statusCode).toBe(404);
  });

  it('times out against an endpoint that accepts connections and never answers', async () => {
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as net.AddressInfo;
    const stuck = await buildAdmin({ etcd: `http://127.0.0.1:${port}`, prefix: '/stuck', adminKey: KEY, etcdTimeoutMs: 800 });
    try {
      const started = Date.now();
      const res = await stuck.inject({ url: '/api/v1/routes/r1', headers });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('GW_ERR_ETCD_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await stuck.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });
});
