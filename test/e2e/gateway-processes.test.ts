// The whole system as a user runs it: a real etcd, `gateway control-plane` and
// `gateway data-plane` processes (2 workers), real upstreams, real HTTP clients.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startLoad } from '../helpers/load.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { adminClient } from '../helpers/admin-client.js';

const KEY = 'test-key';
let etcd: TestEtcd;
let prefix: string;
let admin: GatewayProcess;
let dp: GatewayProcess;
let a: EchoServer;
let b: EchoServer;
let dpDataDir: string;

const api = adminClient(() => admin?.ports.admin, KEY);

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, text, upstream: res.headers.get('x-upstream') };
}

beforeAll(async () => {
  etcd = await startEtcd();
  prefix = etcd.prefix('gateway');
  [a, b] = await Promise.all([startHttpEcho('a'), startHttpEcho('b')]);
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, 'admin-key': KEY }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2, 'data-dir': (dpDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dp-'))) }),
  ]);
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  await Promise.all([a?.close(), b?.close()]);
  await etcd?.stop();
  if (dpDataDir) fs.rmSync(dpDataDir, { recursive: true, force: true });
});

describe('gateway processes', () => {
  it('answers 404 with no route, and /readyz once both workers loaded a config', async () => {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.status}/readyz`)).status === 200, 15_000, 'readyz');
    const r = await get(dp.ports.http!, '/nothing');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).code).toBe('GW_ERR_ROUTE_NOT_FOUND');
    const ready = await (await fetch(`http://127.0.0.1:${dp.ports.status}/readyz`)).json();
    expect(ready.workers).toHaveLength(2);
    expect((await fetch(`http://127.0.0.1:${dp.ports.status}/healthz`)).status).toBe(200);
  });

  it('serves traffic after two admin calls, and follows an edit on every worker', async () => {
    expect((await api('PUT', '/upstreams/ua', { nodes: [{ host: '127.0.0.1', port: a.port, weight: 1 }] })).status).toBe(201);
    expect((await api('PUT', '/upstreams/ub', { nodes: [{ host: '127.0.0.1', port: b.port, weight: 1 }] })).status).toBe(201);
    const put = await api('PUT', '/routes/r1', { match: { paths: [{ type: 'prefix', value: '/app' }] }, backends: [{ upstreamId: 'ua' }] });
    expect(put.status).toBe(201);
    await waitFor(async () => (await get(dp.ports.http!, '/app/x')).status === 200, 10_000, 'route r1');
    const r = await get(dp.ports.http!, '/app/x?q=1');
    expect(r.upstream).toBe('a');
    expect(JSON.parse(r.text).url).toBe('/app/x?q=1');

    await api('PATCH', '/routes/r1', { backends: [{ upstreamId: 'ub' }] });
    // Eight keep-alive connections cover both workers (the primary hands connections out round robin).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const viaAll = () =>
      Promise.all(
        Array.from(
          { length: 8 },
          () =>
            new Promise<string>((resolve, reject) =>
              http
                .get(`http://127.0.0.1:${dp.ports.http}/app/y`, { agent }, (res) => {
                  res.resume();
                  res.on('end', () => resolve(String(res.headers['x-upstream'])));
                })
                .on('error', reject),
            ),
        ),
      );
    await waitFor(async () => (await viaAll()).every((u) => u === 'b'), 10_000, 'every worker on upstream b');
    agent.destroy();
  });

  it('changes routes under load with zero failed requests', async () => {
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/app/load`, { concurrency: 8, maxMs: 20_000 });
    for (let i = 0; i < 20; i++) {
      const upstreamId = i % 2 ? 'ua' : 'ub';
      await api('PUT', '/routes/r1', { match: { paths: [{ type: 'prefix', value: '/app' }] }, backends: [{ upstreamId }] });
      await api('PUT', `/routes/extra-${i}`, { match: { paths: [{ type: 'exact', value: `/extra/${i}` }] }, backends: [{ upstreamId: 'ua' }] });
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => load.total > 500, 15_000, '500 requests');
    const result = await load.stop();
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
    expect(result.upstreams.a).toBeGreaterThan(0);
    expect(result.upstreams.b).toBeGreaterThan(0);
  });

  it('keeps a malformed document out and the rest of the config in', async () => {
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put(`${prefix}/routes/broken`).value('{"id": "broken", "match": {"paths": [{"type": "nope"');
      await client.put(`${prefix}/routes/bad-schema`).value(JSON.stringify({ id: 'bad-schema', match: { paths: [{ type: 'fuzzy', value: '/x' }] } }));
      await api('PUT', '/routes/after-bad', { match: { paths: [{ type: 'exact', value: '/after-bad' }] }, backends: [{ upstreamId: 'ua' }] });
      await waitFor(async () => (await get(dp.ports.http!, '/after-bad')).status === 200, 10_000, 'route after bad documents');
      expect((await get(dp.ports.http!, '/app/still')).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${dp.ports.status}/metrics`)).text();
      expect(Number(/sluice_documents_rejected (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
      expect(metrics).toMatch(/sluice_http_requests_total\{route="r1",status="200"\}/);
    } finally {
      await client.delete().key(`${prefix}/routes/broken`);
      await client.delete().key(`${prefix}/routes/bad-schema`);
      client.close();
    }
  });

  it('keeps serving with zero failures while etcd is down, and applies updates once it is back', async () => {
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/app/etcd-down`, { concurrency: 8, maxMs: 40_000 });
    await waitFor(() => load.total > 100, 10_000, 'load running');
    await etcd.kill();
    const before = load.total;
    await waitFor(() => load.total > before + 300, 15_000, '300 requests with etcd down');
    await etcd.restart();
    await waitFor(
      async () =>
        (await api('PUT', '/routes/after-restart', { match: { paths: [{ type: 'exact', value: '/after-restart' }] }, backends: [{ upstreamId: 'ua' }] }))
          .status < 300,
      20_000,
      'admin write after etcd restart',
    );
    await waitFor(async () => (await get(dp.ports.http!, '/after-restart')).status === 200, 20_000, 'update applied after etcd restart');
    const result = await load.stop();
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
  });

  it('starts a data plane with etcd down from the cached config and says so', async () => {
    await dp.stop();
    await etcd.kill();
    const cached = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, 'data-dir': dpDataDir, workers: 1 });
    try {
      await waitFor(async () => (await get(cached.ports.http!, '/app/cached')).status === 200, 15_000, 'cached config served');
      const ready = await fetch(`http://127.0.0.1:${cached.ports.status}/readyz`);
      const body = await ready.json();
      expect(ready.status).toBe(200);
      expect(body.state).toBe('stale');
      const metrics = await (await fetch(`http://127.0.0.1:${cached.ports.status}/metrics`)).text();
      expect(metrics).toMatch(/sluice_config_stale 1/);
      await etcd.restart();
      await waitFor(async () => (await (await fetch(`http://127.0.0.1:${cached.ports.status}/readyz`)).json()).state === 'ready', 20_000, 'live again');
    } finally {
      await cached.stop();
    }
  });
});
