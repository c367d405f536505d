// Manifests → etcd → data plane → echo upstreams: `gateway control-plane --manifests DIR` serves an
// Ingress, follows an EndpointSlice edit live without a failed request, and drops a deleted Ingress.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startLoad } from '../helpers/load.js';
import { waitFor } from '../helpers/ports.js';
import { gatewayBin, startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { ingressClass, shopIngress, shopService, shopSlice } from './ingress-fixtures.js';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dp: GatewayProcess;
let blue: EchoServer;
let green: EchoServer;
let dir: string;

/** Atomic, as an editor or `kubectl`-style tool saves: the watcher never sees half a file. */
const write = (name: string, objects: unknown[]) => {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, objects.map((o) => YAML.stringify(o)).join('---\n'));
  fs.renameSync(tmp, path.join(dir, name));
};

const get = async (p: string) => {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}${p}`);
  await res.arrayBuffer();
  return { status: res.status, upstream: res.headers.get('x-upstream') };
};

beforeAll(async () => {
  etcd = await startEtcd();
  [blue, green] = await Promise.all([startHttpEcho('blue'), startHttpEcho('green')]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ingress-'));
  write('class.yaml', [ingressClass]);
  write('shop.yaml', [shopIngress, shopService]);
  write('endpoints.yaml', [shopSlice(blue.port)]);
  fs.writeFileSync(path.join(dir, 'broken.yaml'), 'kind: Service\nmetadata: {name: [\n');
  const prefix = etcd.prefix('ingress-manifests');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, manifests: dir }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  await waitFor(async () => (await get('/shop')).upstream === 'blue', 15_000, 'Ingress served');
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  await Promise.all([blue?.close(), green?.close()]);
  await etcd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Ingress from a manifest folder', () => {
  it('serves the Ingress and logs the file it skipped', async () => {
    expect(await get('/shop/cart')).toEqual({ status: 200, upstream: 'blue' });
    expect((await get('/other')).status).toBe(404);
    expect(cp.output()).toMatch(/broken\.yaml/);
  });

  it('moves traffic to new endpoints live, with zero failed requests', async () => {
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/shop`, { concurrency: 4, maxMs: 20_000 });
    await waitFor(() => load.total >= 50, 10_000, 'load running');
    write('endpoints.yaml', [shopSlice(green.port)]);
    await waitFor(() => (load.result.upstreams.green ?? 0) >= 50, 15_000, 'traffic on green');
    const result = await load.stop();
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
    expect(result.upstreams.blue).toBeGreaterThan(0);
    expect((await get('/shop')).upstream).toBe('green');
  });

  it('removes the route when the Ingress file is deleted', async () => {
    write('shop.yaml', [shopService]);
    await waitFor(async () => (await get('/shop')).status === 404, 15_000, 'route gone');
  });

  it('`gateway translate -f DIR` prints the documents and warnings without writing', () => {
    write('shop.yaml', [shopIngress, shopService]);
    const out = YAML.parse(execFileSync(process.execPath, [gatewayBin, 'translate', '-f', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(out.documents.map((d: { collection: string }) => d.collection).sort()).toEqual(['routes', 'upstreams']);
    expect(out.documents.find((d: { collection: string }) => d.collection === 'upstreams').doc.nodes).toEqual([
      { host: '127.0.0.1', port: green.port, weight: 1 },
    ]);
    expect(out.warnings).toEqual([{ object: expect.stringContaining('broken.yaml'), message: expect.stringMatching(/^skipped: line/) }]);
  });
});
