// The Gateway API through the test Kubernetes API server: `gateway control-plane --kubeconfig`
// watches GatewayClass, Gateway and HTTPRoute with the real client library, writes listener and
// route documents to a real etcd, and writes the statuses back through the /status subresource.
import { Etcd3 } from 'etcd3';
import { collectionPrefix } from '@sluice/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyResources } from '../../control-plane/src/source/resources-from-objects.js';
import { loadKubeConfig } from '../../control-plane/src/source/load-kube-config.js';
import { createGatewayApiStatusWriter } from '../../control-plane/src/status/gateway-api-status.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const CONTROLLER = 'sluice.dev/gateway-controller';
const OTHER_CONTROLLER = 'example.net/other-controller';

let etcd: TestEtcd;
let api: KubeApiServer;
let cp: GatewayProcess;
let dp: GatewayProcess;
/** Where the data plane binds the Gateway's declared port 80 (--port-map 80:<listenerPort>). */
let listenerPort: number;
let echo: EchoServer;
let client: Etcd3;
let prefix: string;

type Doc = { id: string; owner?: { kind: string; namespace?: string; name?: string }; [k: string]: unknown };
type Cond = { type: string; status: string; reason: string; observedGeneration?: number; lastTransitionTime?: string };
type Parent = { parentRef: { name: string }; controllerName: string; conditions: Cond[] };

/** Documents of one collection in etcd. */
const docs = async (collection: string): Promise<Doc[]> => Object.values(await client.getAll().prefix(collectionPrefix(prefix, collection)).json()) as Doc[];
const ownedBy = (list: Doc[], kind: string, name: string) => list.filter((d) => d.owner?.kind === kind && d.owner.name === name);
const statusOf = (kind: string, name: string, namespace?: string) => api.get(kind, name, namespace)?.status as Record<string, any> | undefined;
const conditionOf = (conditions: Cond[] | undefined, type: string) => conditions?.find((c) => c.type === type);
/** A request to the Gateway's own address and (mapped) port, as a client on the cluster would send it. */
const viaGateway = async (path: string) => {
  const res = await fetch(`http://127.0.1.1:${listenerPort}${path}`);
  await res.arrayBuffer();
  return { status: res.status, upstream: res.headers.get('x-upstream') };
};
const ourParent = (route: string) => (statusOf('HTTPRoute', route, 'default')?.parents as Parent[] | undefined)?.find((p) => p.controllerName === CONTROLLER);

const gatewayClass: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'sluice', generation: 1 },
  spec: { controllerName: CONTROLLER },
};
const foreignClass: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'other', generation: 1 },
  spec: { controllerName: OTHER_CONTROLLER },
};
const gateway: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};
const slice = (port: number): KubeObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'shop-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'shop' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  }) as unknown as KubeObject;
/** The test API server does not bump generations itself: each spec change below sets it. */
const httpRoute = (name: string, generation: number, path: string, backend: string, status?: unknown): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default', generation },
  spec: {
    parentRefs: [{ name: 'web' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: backend, port: 80 }] }],
  },
  ...(status ? { status } : {}),
});
/** Another controller's entry, already on the route: it must survive our writes. */
const theirParent = {
  parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'their-gateway' },
  controllerName: OTHER_CONTROLLER,
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: 1, lastTransitionTime: '2025-12-31T00:00:00Z' }],
};

beforeAll(async () => {
  [etcd, api, echo] = await Promise.all([startEtcd(), startKubeApiServer(), startHttpEcho('shop')]);
  prefix = etcd.prefix('gateway-api-kube');
  client = new Etcd3({ hosts: etcd.endpoint });
  api.apply(gatewayClass);
  api.apply(foreignClass);
  api.apply(service);
  api.apply(slice(echo.port));
  listenerPort = await freePort('127.0.1.1');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, kubeconfig: api.kubeconfigPath, 'gateway-address-pool': '127.0.1.0/24' }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, 'port-map': `80:${listenerPort}` }),
  ]);
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  client?.close();
  await Promise.all([echo?.close(), api?.close()]);
  await etcd?.stop();
});

describe('Gateway API from the Kubernetes API', () => {
  it("accepts our GatewayClass and never touches another controller's", async () => {
    await waitFor(() => conditionOf(statusOf('GatewayClass', 'sluice')?.conditions, 'Accepted')?.status === 'True', 15_000, 'GatewayClass Accepted');
    const accepted = conditionOf(statusOf('GatewayClass', 'sluice')!.conditions, 'Accepted')!;
    expect(accepted).toMatchObject({ reason: 'Accepted', observedGeneration: 1 });
    expect(accepted.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(statusOf('GatewayClass', 'other')).toBeUndefined();
    expect(api.requests).toContain('WATCH /apis/gateway.networking.k8s.io/v1/httproutes');
  });

  it('writes the listener and route documents, and every status, for a Gateway and an HTTPRoute', async () => {
    api.apply(gateway);
    api.apply(httpRoute('shop', 1, '/shop', 'shop', { parents: [theirParent] }));
    await waitFor(async () => ownedBy(await docs('routes'), 'HTTPRoute', 'shop').length > 0, 15_000, 'route document');
    const [listener] = ownedBy(await docs('listeners'), 'Gateway', 'web');
    expect(listener).toMatchObject({ address: '127.0.1.1', port: 80, protocol: 'HTTP', owner: { kind: 'Gateway', namespace: 'default', name: 'web' } });
    const [route] = ownedBy(await docs('routes'), 'HTTPRoute', 'shop');
    expect(route).toMatchObject({ listeners: [listener!.id], owner: { namespace: 'default' } });
    const upstreamId = (route!.backends as { upstreamId: string }[])[0]!.upstreamId;
    const upstream = (await docs('upstreams')).find((u) => u.id === upstreamId);
    expect(upstream?.nodes).toEqual([{ host: '127.0.0.1', port: echo.port, weight: 1 }]);

    await waitFor(() => ourParent('shop')?.conditions.length === 2, 15_000, 'route status');
    await waitFor(() => statusOf('Gateway', 'web', 'default')?.listeners?.[0]?.attachedRoutes === 1, 15_000, 'Gateway status');
    const gw = statusOf('Gateway', 'web', 'default')!;
    expect(gw.addresses).toEqual([{ type: 'IPAddress', value: '127.0.1.1' }]);
    for (const type of ['Accepted', 'Programmed']) expect(conditionOf(gw.conditions, type), type).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(conditionOf(gw.listeners[0].conditions, 'Programmed')).toMatchObject({ status: 'True' });
    const parents = statusOf('HTTPRoute', 'shop', 'default')!.parents as Parent[];
    expect(parents).toContainEqual(theirParent);
    const ours = ourParent('shop')!;
    expect(ours.parentRef).toMatchObject({ name: 'web', namespace: 'default', kind: 'Gateway' });
    expect(conditionOf(ours.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted', observedGeneration: 1 });
    expect(conditionOf(ours.conditions, 'ResolvedRefs')).toMatchObject({ status: 'True', reason: 'ResolvedRefs', observedGeneration: 1 });
  });

  it("serves the HTTPRoute on the Gateway's address through the data plane", async () => {
    await waitFor(async () => (await viaGateway('/shop')).upstream === 'shop', 15_000, 'traffic through the Gateway listener');
    expect((await viaGateway('/shop/cart')).status).toBe(200);
    expect((await viaGateway('/elsewhere')).status).toBe(404);
    // The Gateway's listener is its own: the data plane's default HTTP port does not serve the route.
    const res = await fetch(`http://127.0.0.1:${dp.ports.http}/shop`);
    await res.arrayBuffer();
    expect(res.status).toBe(404);
  });

  it('follows a route change: new documents, observedGeneration moves, lastTransitionTime stays', async () => {
    const before = conditionOf(ourParent('shop')!.conditions, 'Accepted')!.lastTransitionTime;
    api.apply(httpRoute('shop', 2, '/shop-v2', 'shop'));
    await waitFor(() => conditionOf(ourParent('shop')?.conditions, 'Accepted')?.observedGeneration === 2, 15_000, 'observedGeneration 2');
    const ours = ourParent('shop')!;
    expect(conditionOf(ours.conditions, 'Accepted')!.lastTransitionTime).toBe(before);
    expect(conditionOf(ours.conditions, 'ResolvedRefs')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(statusOf('HTTPRoute', 'shop', 'default')!.parents).toContainEqual(theirParent);
    // Ids come from the rule's position (STYLE.md principle 6): the same document, a new match.
    await waitFor(
      async () => JSON.stringify(ownedBy(await docs('routes'), 'HTTPRoute', 'shop')[0]?.match).includes('/shop-v2'),
      15_000,
      'route document updated',
    );
    expect(ownedBy(await docs('routes'), 'HTTPRoute', 'shop')).toHaveLength(1);
    await waitFor(async () => (await viaGateway('/shop-v2')).upstream === 'shop', 15_000, 'traffic on the new path');
    expect((await viaGateway('/shop')).status).toBe(404);
  });

  it('says BackendNotFound for a route to a missing Service, and counts it as attached', async () => {
    api.apply(httpRoute('ghost', 1, '/ghost', 'no-such-service'));
    await waitFor(() => conditionOf(ourParent('ghost')?.conditions, 'ResolvedRefs') !== undefined, 15_000, 'ghost status');
    expect(conditionOf(ourParent('ghost')!.conditions, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'BackendNotFound', observedGeneration: 1 });
    expect(conditionOf(ourParent('ghost')!.conditions, 'Accepted')).toMatchObject({ status: 'True' });
    await waitFor(() => statusOf('Gateway', 'web', 'default')?.listeners?.[0]?.attachedRoutes === 2, 15_000, 'two attached routes');
    // The spec: a route whose backend is invalid answers 500.
    await waitFor(async () => (await viaGateway('/ghost')).status === 500, 15_000, 'ghost answers 500');
    // The translator's warning, as a Warning Event on the route (kubectl describe httproute ghost).
    const ghostEvents = async () => {
      const list = (await (await fetch(`${api.url}/api/v1/namespaces/default/events`)).json()) as {
        items: { type: string; message: string; involvedObject: Record<string, string> }[];
      };
      return list.items.filter((e) => e.involvedObject.kind === 'HTTPRoute' && e.involvedObject.name === 'ghost');
    };
    await waitFor(async () => (await ghostEvents()).length > 0, 15_000, 'Warning Event on the route');
    const [event] = await ghostEvents();
    expect(event).toMatchObject({ type: 'Warning', involvedObject: { apiVersion: 'gateway.networking.k8s.io/v1', namespace: 'default' } });
    expect(event!.message).toContain('no-such-service');
  });

  it('deletes the documents of a deleted route, and writes unchanged statuses only once', async () => {
    api.remove('HTTPRoute', 'shop', 'default');
    await waitFor(async () => ownedBy(await docs('routes'), 'HTTPRoute', 'shop').length === 0, 15_000, 'route documents gone');
    await waitFor(async () => (await viaGateway('/shop-v2')).status === 404, 15_000, 'no traffic to the deleted route');
    await waitFor(() => statusOf('Gateway', 'web', 'default')?.listeners?.[0]?.attachedRoutes === 1, 15_000, 'one attached route');
    expect(ownedBy(await docs('routes'), 'HTTPRoute', 'ghost')).toHaveLength(1);
    // Many snapshots went by; the GatewayClass never changed, so its status was written once.
    expect(api.requests.filter((r) => r === 'PUT /apis/gateway.networking.k8s.io/v1/gatewayclasses/sluice/status')).toHaveLength(1);
    expect(api.requests.filter((r) => r.includes('gatewayclasses/other'))).toEqual([]);
  });

  it('removes the listener documents with the Gateway', async () => {
    api.remove('Gateway', 'web', 'default');
    await waitFor(async () => ownedBy(await docs('listeners'), 'Gateway', 'web').length === 0, 15_000, 'listener gone');
    // The data plane closed the listener.
    await waitFor(
      () =>
        viaGateway('/ghost').then(
          () => false,
          () => true,
        ),
      15_000,
      'listener closed',
    );
    await waitFor(() => ourParent('ghost') === undefined, 15_000, 'our parent entry dropped from the detached route');
  });
});

describe('the Gateway API status writer against a busy API server', () => {
  it('re-reads on 409 and keeps the parent entry another controller wrote in between', async () => {
    // A controller of its own name, so the running control plane leaves its entries alone.
    const controllerName = 'sluice.dev/second-controller';
    const writer = createGatewayApiStatusWriter({ kubeConfig: loadKubeConfig({ kubeconfig: api.kubeconfigPath }).kubeConfig, controllerName });
    api.apply(httpRoute('contended', 1, '/contended', 'shop'));
    const stale = { ...emptyResources(), httpRoutes: [api.get('HTTPRoute', 'contended', 'default')!] };
    const statusUrl = `${api.url}/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/contended/status`;
    const res = await fetch(statusUrl, { method: 'PUT', body: JSON.stringify({ metadata: { name: 'contended' }, status: { parents: [theirParent] } }) });
    expect(res.status).toBe(200);
    const ours = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'web' },
      controllerName,
      conditions: [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: 'ok', observedGeneration: 1 }],
    };
    const puts = () => api.requests.filter((r) => r === 'PUT /apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/contended/status').length;
    const before = puts();
    const written = await writer.update(
      [{ object: 'HTTPRoute/default/contended', kind: 'HTTPRoute', namespace: 'default', name: 'contended', status: { parents: [ours] } }],
      stale,
    );
    expect(written).toBe(1);
    expect(puts() - before).toBe(2); // the 409, then the write over the fresh read
    expect(api.requests).toContain('GET /apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/contended');
    const parents = statusOf('HTTPRoute', 'contended', 'default')!.parents as Parent[];
    expect(parents[0]).toEqual(theirParent);
    expect(parents[1]).toMatchObject({ controllerName, conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 1 }] });
    expect(parents[1]!.conditions[0]!.lastTransitionTime).toMatch(/Z$/);
    // Nothing changed since: no write at all.
    const fresh = { ...emptyResources(), httpRoutes: [api.get('HTTPRoute', 'contended', 'default')!] };
    expect(
      await writer.update(
        [{ object: 'HTTPRoute/default/contended', kind: 'HTTPRoute', namespace: 'default', name: 'contended', status: { parents: [ours] } }],
        fresh,
      ),
    ).toBe(0);
  });
});
