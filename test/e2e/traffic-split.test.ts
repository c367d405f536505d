// traffic-split: canary releases by header, cookie and weight, with the upstreams it names
// checked and guarded by the admin API like route backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { adminClient } from '../helpers/admin-client.js';

let etcd: TestEtcd;
let admin: GatewayProcess;
let dp: GatewayProcess;
let stable: EchoServer;
let canary: EchoServer;

const api = adminClient(() => admin?.ports.admin);

const served = async (path: string, headers: Record<string, string> = {}) =>
  (await fetch(`http://127.0.0.1:${dp.ports.http}${path}`, { headers })).headers.get('x-upstream');

async function tally(n: number, path: string, headers: Record<string, string> = {}) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const u = String(await served(path, headers));
    counts[u] = (counts[u] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  etcd = await startEtcd();
  [stable, canary] = await Promise.all([startHttpEcho('stable'), startHttpEcho('canary')]);
  const prefix = etcd.prefix('split');
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  expect((await api('PUT', '/upstreams/stable', { nodes: [{ host: '127.0.0.1', port: stable.port }] })).status).toBe(201);
  expect((await api('PUT', '/upstreams/canary', { nodes: [{ host: '127.0.0.1', port: canary.port }] })).status).toBe(201);
  const r = await api('PUT', '/routes/shop', {
    match: { paths: [{ type: 'prefix', value: '/shop' }] },
    backends: [{ upstreamId: 'stable' }],
    plugins: {
      'traffic-split': {
        rules: [
          { match: { headers: [{ name: 'X-Canary', value: 'always' }] }, weightedUpstreams: [{ upstreamId: 'canary', weight: 1 }] },
          { match: { cookies: [{ name: 'beta', value: 'yes' }] }, weightedUpstreams: [{ upstreamId: 'canary', weight: 1 }] },
          { match: { headers: [{ name: 'X-Canary', value: 'never' }] }, weightedUpstreams: [{ weight: 1 }] },
          { weightedUpstreams: [{ upstreamId: 'canary', weight: 1 }, { weight: 3 }] },
        ],
      },
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await waitFor(async () => (await served('/shop', { 'x-canary': 'always' })) === 'canary', 15_000, 'route loaded');
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  await Promise.all([stable?.close(), canary?.close()]);
  await etcd?.stop();
});

describe('traffic-split', () => {
  it('sends a header canary and a cookie canary to the canary upstream', async () => {
    expect(await tally(5, '/shop', { 'x-canary': 'always' })).toEqual({ canary: 5 });
    expect(await tally(5, '/shop', { cookie: 'a=1; beta=yes' })).toEqual({ canary: 5 });
    expect(await tally(5, '/shop', { 'x-canary': 'never' })).toEqual({ stable: 5 });
  });

  it('splits the rest by weight (1 canary : 3 stable), interleaved', async () => {
    expect(await tally(40, '/shop')).toEqual({ canary: 10, stable: 30 });
  });

  it('refuses a split to a missing upstream and guards the canary upstream against deletion', async () => {
    const bad = await api('PUT', '/routes/bad', {
      backends: [{ upstreamId: 'stable' }],
      plugins: { 'traffic-split': { rules: [{ weightedUpstreams: [{ upstreamId: 'nope', weight: 1 }] }] } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/plugins/traffic-split');
    const del = await api('DELETE', '/upstreams/canary');
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body)).toContain('shop');
  });
});
