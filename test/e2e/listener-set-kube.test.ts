// ListenerSet (GEP-1713) end to end: the real control plane reads a Gateway, a ListenerSet and an
// HTTPRoute attached to the set from the test Kubernetes API server, writes the set's listener
// to etcd, writes the ListenerSet status (and the Gateway's attachedListenerSets), and the real
// data plane serves the route on the Gateway's address for the set's hostname only.
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { collectionPrefix } from '@sluice/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const GATEWAY_ADDRESS = '127.0.15.1';
let etcd: TestEtcd;
let api: KubeApiServer;
let cp: GatewayProcess;
let dp: GatewayProcess;
let echo: EchoServer;
let client: Etcd3;
let prefix: string;
let listenerPort: number;

type Doc = { id: string; owner?: { kind: string; namespace?: string; name?: string }; [k: string]: unknown };
type Cond = { type: string; status: string; reason: string; observedGeneration?: number };
const docs = async (collection: string): Promise<Doc[]> => Object.values(await client.getAll().prefix(collectionPrefix(prefix, collection)).json()) as Doc[];
const statusOf = (kind: string, name: string) => api.get(kind, name, 'default')?.status as Record<string, any> | undefined;
const conditionOf = (conditions: Cond[] | undefined, type: string) => conditions?.find((c) => c.type === type);
/** fetch() will not send a Host of our choosing: node:http does. */
const request = (host: string, path: string) =>
  new Promise<{ status: number; upstream: string | undefined }>((resolve, reject) => {
    const req = http.get({ host: GATEWAY_ADDRESS, port: listenerPort, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, upstream: res.headers['x-upstream'] as string | undefined }));
    });
    req.on('error', reject);
  });

const GROUP = 'gateway.networking.k8s.io';
const objects: KubeObject[] = [
  { apiVersion: `${GROUP}/v1`, kind: 'GatewayClass', metadata: { name: 'sluice', generation: 1 }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
  {
    apiVersion: `${GROUP}/v1`,
    kind: 'Gateway',
    metadata: { name: 'shared', namespace: 'default', generation: 1 },
    spec: {
      gatewayClassName: 'sluice',
      allowedListeners: { namespaces: { from: 'Same' } },
      listeners: [{ name: 'main', protocol: 'HTTP', port: 80, hostname: 'main.example' }],
    },
  },
  {
    apiVersion: `${GROUP}/v1`,
    kind: 'ListenerSet',
    metadata: { name: 'team', namespace: 'default', generation: 3 },
    spec: { parentRef: { name: 'shared' }, listeners: [{ name: 'team-http', protocol: 'HTTP', port: 80, hostname: 'team.example' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  },
  {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: 'team-route', namespace: 'default', generation: 1 },
    spec: {
      parentRefs: [{ group: GROUP, kind: 'ListenerSet', name: 'team', sectionName: 'team-http' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/shop' } }], backendRefs: [{ name: 'shop', port: 80 }] }],
    },
  },
];

beforeAll(async () => {
  [etcd, api, echo] = await Promise.all([startEtcd(), startKubeApiServer(), startHttpEcho('shop')]);
  prefix = etcd.prefix('listener-set-kube');
  client = new Etcd3({ hosts: etcd.endpoint });
  for (const o of objects) api.apply(o);
  api.apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'shop-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'shop' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: echo.port, protocol: 'TCP' }],
  } as unknown as KubeObject);
  listenerPort = await freePort(GATEWAY_ADDRESS);
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, kubeconfig: api.kubeconfigPath, 'gateway-address-pool': '127.0.15.0/24' }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, 'port-map': `80:${listenerPort}` }),
  ]);
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  client?.close();
  await Promise.all([echo?.close(), api?.close()]);
  await etcd?.stop();
});

describe('ListenerSet from the Kubernetes API', () => {
  it("writes the set's listener on the Gateway's address, and the ListenerSet and Gateway statuses", async () => {
    await waitFor(async () => (await docs('listeners')).some((d) => d.owner?.kind === 'ListenerSet'), 15_000, 'ListenerSet listener document');
    const listener = (await docs('listeners')).find((d) => d.owner?.kind === 'ListenerSet')!;
    expect(listener).toMatchObject({
      address: GATEWAY_ADDRESS,
      port: 80,
      hostname: 'team.example',
      gateway: { namespace: 'default', name: 'shared' },
      owner: { name: 'team' },
    });

    await waitFor(() => statusOf('ListenerSet', 'team')?.listeners?.[0]?.attachedRoutes === 1, 15_000, 'ListenerSet status');
    const set = statusOf('ListenerSet', 'team')!;
    for (const type of ['Accepted', 'Programmed']) expect(conditionOf(set.conditions, type), type).toMatchObject({ status: 'True', observedGeneration: 3 });
    expect(conditionOf(set.listeners[0].conditions, 'Programmed')).toMatchObject({ status: 'True' });
    await waitFor(() => statusOf('Gateway', 'shared')?.attachedListenerSets === 1, 15_000, 'Gateway attachedListenerSets');
    expect(statusOf('Gateway', 'shared')!.listeners[0].attachedRoutes).toBe(0);
    await waitFor(() => (statusOf('HTTPRoute', 'team-route')?.parents ?? []).length === 1, 15_000, 'route status');
    const [parent] = statusOf('HTTPRoute', 'team-route')!.parents;
    expect(parent.parentRef).toMatchObject({ kind: 'ListenerSet', name: 'team', sectionName: 'team-http' });
    expect(conditionOf(parent.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
  });

  it("serves the route for the set's hostname only", async () => {
    await waitFor(async () => (await request('team.example', '/shop')).upstream === 'shop', 15_000, 'traffic through the ListenerSet listener');
    expect((await request('main.example', '/shop')).status).toBe(404);
  });

  it('takes the listener down when the Gateway stops allowing ListenerSets', async () => {
    const gateway = structuredClone(objects[1]!);
    gateway.metadata.generation = 2;
    delete (gateway.spec as { allowedListeners?: unknown }).allowedListeners;
    api.apply(gateway);
    await waitFor(() => conditionOf(statusOf('ListenerSet', 'team')?.conditions, 'Accepted')?.reason === 'NotAllowed', 15_000, 'ListenerSet NotAllowed');
    await waitFor(async () => !(await docs('listeners')).some((d) => d.owner?.kind === 'ListenerSet'), 15_000, 'listener document removed');
    await waitFor(async () => (await request('team.example', '/shop').catch(() => ({ status: 0 }))).status !== 200, 15_000, 'route no longer served');
    expect(statusOf('Gateway', 'shared')!.attachedListenerSets).toBe(0);
    expect(conditionOf(statusOf('HTTPRoute', 'team-route')!.parents[0].conditions, 'Accepted')).toMatchObject({ status: 'False' });
  });
});
