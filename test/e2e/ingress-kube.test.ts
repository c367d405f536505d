// The same path through the test Kubernetes API server: `gateway control-plane --kubeconfig`
// lists and watches with the real client library, and an EndpointSlice change moves traffic live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server.js';
import { startLoad } from '../helpers/load.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { ingressClass, shopIngress, shopService, shopSlice } from './ingress-fixtures.js';

let etcd: TestEtcd;
let api: KubeApiServer;
let cp: GatewayProcess;
let dp: GatewayProcess;
let blue: EchoServer;
let green: EchoServer;

const get = async (p: string) => {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}${p}`);
  await res.arrayBuffer();
  return { status: res.status, upstream: res.headers.get('x-upstream') };
};

beforeAll(async () => {
  [etcd, api, blue, green] = await Promise.all([startEtcd(), startKubeApiServer(), startHttpEcho('blue'), startHttpEcho('green')]);
  api.apply(ingressClass);
  api.apply(shopService);
  api.apply(shopSlice(blue.port));
  const prefix = etcd.prefix('ingress-kube');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, kubeconfig: api.kubeconfigPath }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  await Promise.all([blue?.close(), green?.close(), api?.close()]);
  await etcd?.stop();
});

describe('Ingress from the Kubernetes API', () => {
  it('serves an Ingress created after the control plane started', async () => {
    expect((await get('/shop')).status).toBe(404);
    api.apply(shopIngress);
    await waitFor(async () => (await get('/shop')).upstream === 'blue', 15_000, 'Ingress served');
    expect(api.requests).toContain('WATCH /apis/networking.k8s.io/v1/ingresses');
  });

  it('applies an EndpointSlice change live, with zero failed requests', async () => {
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/shop`, { concurrency: 4, maxMs: 20_000 });
    await waitFor(() => load.total >= 50, 10_000, 'load running');
    api.apply(shopSlice(green.port));
    await waitFor(() => (load.result.upstreams.green ?? 0) >= 50, 15_000, 'traffic on green');
    const result = await load.stop();
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
    expect(result.upstreams.blue).toBeGreaterThan(0);
  });

  it('keeps following after a 410 Gone, and drops a deleted Ingress', async () => {
    api.compact();
    api.dropWatches();
    api.remove('Ingress', 'shop', 'default');
    await waitFor(async () => (await get('/shop')).status === 404, 15_000, 'route gone');
  });
});
