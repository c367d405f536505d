// RoutePolicy and Consumer end to end: the test Kubernetes API server, the real
// `gateway control-plane --kubeconfig` and data plane, an echo upstream. A RoutePolicy adds
// key-auth to an Ingress, a Consumer's key comes from a Secret: no key → 401, the key → 200.
// The control plane writes the CRs' conditions back (Accepted, Conflicted, ResolvedRefs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { ingressClass, shopIngress, shopService, shopSlice } from './ingress-fixtures.js';

let etcd: TestEtcd;
let api: KubeApiServer;
let cp: GatewayProcess;
let dp: GatewayProcess;
let echo: EchoServer;

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}${path}`, { headers });
  await res.arrayBuffer();
  return res.status;
};

type Conditions = { type: string; status: string; reason: string; message: string }[];
const conditionsOf = (kind: string, name: string): Conditions =>
  (api.get(kind, name, 'default')?.status as { conditions?: Conditions } | undefined)?.conditions ?? [];
const conditionStatus = (kind: string, name: string, type: string) => conditionsOf(kind, name).find((c) => c.type === type)?.status;

const policy = (name: string, plugins: Record<string, unknown>): KubeObject => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name, namespace: 'default' },
  spec: { targetRefs: [{ group: 'networking.k8s.io', kind: 'Ingress', name: 'shop' }], plugins },
});

beforeAll(async () => {
  [etcd, api, echo] = await Promise.all([startEtcd(), startKubeApiServer(), startHttpEcho('shop')]);
  api.apply(ingressClass as KubeObject);
  api.apply(shopService as KubeObject);
  api.apply(shopSlice(echo.port) as KubeObject);
  api.apply(shopIngress as KubeObject);
  const prefix = etcd.prefix('route-policy');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, kubeconfig: api.kubeconfigPath }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  await waitFor(async () => (await get('/shop')) === 200, 15_000, 'Ingress served');
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  await Promise.all([echo?.close(), api?.close()]);
  await etcd?.stop();
});

describe('RoutePolicy and Consumer from the Kubernetes API', () => {
  it('adds key-auth to the Ingress: 401 without the key, 200 with the Consumer key from its Secret', async () => {
    api.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'alice-key', namespace: 'default' },
      data: { key: Buffer.from('alice-secret-key').toString('base64') },
    });
    api.apply({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'Consumer',
      metadata: { name: 'alice', namespace: 'default' },
      spec: { username: 'alice', credentials: { keyAuth: { secretRef: { name: 'alice-key' } } } },
    });
    api.apply(policy('shop-auth', { 'key-auth': { header: 'apikey' } }));
    await waitFor(async () => (await get('/shop')) === 401, 15_000, 'key-auth enforced');
    await waitFor(async () => (await get('/shop', { apikey: 'alice-secret-key' })) === 200, 15_000, 'the consumer key accepted');
    expect(await get('/shop', { apikey: 'wrong' })).toBe(401);

    await waitFor(() => conditionStatus('RoutePolicy', 'shop-auth', 'Accepted') === 'True', 15_000, 'RoutePolicy Accepted=True');
    expect(conditionStatus('RoutePolicy', 'shop-auth', 'Conflicted')).toBe('False');
    await waitFor(() => conditionStatus('Consumer', 'alice', 'ResolvedRefs') === 'True', 15_000, 'Consumer ResolvedRefs=True');
    expect(conditionStatus('Consumer', 'alice', 'Accepted')).toBe('True');
  });

  it('marks a newer policy setting the same plugin Conflicted=True; the older keeps winning', async () => {
    api.apply(policy('shop-auth-2', { 'key-auth': { header: 'x-other' }, 'request-id': {} }));
    await waitFor(() => conditionStatus('RoutePolicy', 'shop-auth-2', 'Conflicted') === 'True', 15_000, 'Conflicted=True');
    expect(conditionsOf('RoutePolicy', 'shop-auth-2').find((c) => c.type === 'Conflicted')?.message).toMatch(/older RoutePolicy default\/shop-auth/);
    expect(conditionStatus('RoutePolicy', 'shop-auth', 'Conflicted')).toBe('False');
    // The older policy's key-auth (header apikey) still holds.
    expect(await get('/shop', { apikey: 'alice-secret-key' })).toBe(200);
    expect(await get('/shop', { 'x-other': 'alice-secret-key' })).toBe(401);
  });

  it('drops the consumer when its Secret goes (ResolvedRefs=False), and opens the route when the policies go', async () => {
    api.remove('Secret', 'alice-key', 'default');
    await waitFor(() => conditionStatus('Consumer', 'alice', 'ResolvedRefs') === 'False', 15_000, 'ResolvedRefs=False');
    await waitFor(async () => (await get('/shop', { apikey: 'alice-secret-key' })) === 401, 15_000, 'consumer gone');
    api.remove('RoutePolicy', 'shop-auth', 'default');
    api.remove('RoutePolicy', 'shop-auth-2', 'default');
    await waitFor(async () => (await get('/shop')) === 200, 15_000, 'route open again');
  });
});
