// --plugins-dir: a user's own plugin is validated by the admin API, runs in the data plane, and a
// change to its code is rolled out by restarting the workers one by one, with no failed request.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startLoad } from '../helpers/load.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { adminClient } from '../helpers/admin-client.js';

const example = fs.readFileSync(path.resolve(import.meta.dirname, '../../examples/plugins/add-header.mjs'), 'utf8');
let etcd: TestEtcd;
let echo: EchoServer;
let pluginsDir: string;
let admin: GatewayProcess;
let dp: GatewayProcess;

const api = adminClient(() => admin?.ports.admin);

beforeAll(async () => {
  etcd = await startEtcd();
  echo = await startHttpEcho('echo');
  pluginsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-plugins-'));
  fs.writeFileSync(path.join(pluginsDir, 'add-header.mjs'), example);
  const prefix = etcd.prefix('custom');
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, 'plugins-dir': pluginsDir }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2, 'plugins-dir': pluginsDir }),
  ]);
  expect((await api('PUT', '/upstreams/echo', { nodes: [{ host: '127.0.0.1', port: echo.port }] })).status).toBe(201);
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  await echo?.close();
  await etcd?.stop();
  fs.rmSync(pluginsDir, { recursive: true, force: true });
});

describe('custom plugins', () => {
  it('validates, lists and runs a plugin from --plugins-dir', async () => {
    const bad = await api('PUT', '/routes/custom', { backends: [{ upstreamId: 'echo' }], plugins: { 'add-header': { name: 'X-Team' } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/plugins/add-header');
    const ok = await api('PUT', '/routes/custom', { backends: [{ upstreamId: 'echo' }], plugins: { 'add-header': { name: 'X-Team', value: 'edge' } } });
    expect(ok.status).toBe(201);
    const list = await api('GET', '/plugins');
    expect(JSON.stringify(list.body)).toContain('add-header');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/x`)).headers.get('x-team') === 'edge', 15_000, 'custom plugin live');
    const body = await (await fetch(`http://127.0.0.1:${dp.ports.http}/x`)).json();
    expect(body.headers['x-team']).toBe('edge');
  });

  it('rolls a changed plugin out worker by worker with no failed request', async () => {
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/load`, { concurrency: 6, maxMs: 40_000 });
    await waitFor(() => load.total > 50, 10_000, 'load running');
    // New code: the response header value gets a suffix.
    fs.writeFileSync(
      path.join(pluginsDir, 'add-header.mjs'),
      example.replace('response.headers.push(c.name, c.value)', "response.headers.push(c.name, c.value + '-v2')"),
    );
    const v2 = async () => {
      const seen = new Set<string | null>();
      for (let i = 0; i < 8; i++) seen.add((await fetch(`http://127.0.0.1:${dp.ports.http}/x`)).headers.get('x-team'));
      return seen.size === 1 && seen.has('edge-v2');
    };
    await waitFor(v2, 30_000, 'every worker on the new plugin code');
    const result = await load.stop();
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
    expect(result.ok).toBeGreaterThan(50);
  });
});
