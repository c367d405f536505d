// KubeSource through the real @kubernetes/client-node informers against the in-repo test API
// server: first snapshot after every kind listed, live watch events, relist after 410 Gone,
// restart after the watch fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeSource, WATCHED } from '../../control-plane/src/source/kube-source.js';
import { loadKubeConfig } from '../../control-plane/src/source/load-kube-config.js';
import type { ResourceSource } from '../../control-plane/src/source/resource-source.js';
import type { Resources } from '../../control-plane/src/translate/types.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server.js';
import { waitFor } from '../helpers/ports.js';

let api: KubeApiServer;
let source: ResourceSource;
const snapshots: Resources[] = [];
const warnings: { object: string; message: string }[] = [];
const last = () => snapshots[snapshots.length - 1];
const slicePort = (r: Resources) => (r.endpointSlices[0] as { ports?: { port?: number }[] } | undefined)?.ports?.[0]?.port;
const slice = (port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'shop-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'shop' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});

beforeAll(async () => {
  api = await startKubeApiServer();
  api.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice' }, spec: { controller: 'sluice.dev/gateway-controller' } });
  api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } });
  api.apply(slice(1001));
  source = createKubeSource({
    kubeConfig: loadKubeConfig({ kubeconfig: api.kubeconfigPath }).kubeConfig,
    warn: (w) => warnings.push(w),
    coalesceMs: 30,
    retryMinMs: 50,
    retryMaxMs: 200,
  });
  await source.start((r) => snapshots.push(r));
});
afterAll(async () => {
  await source?.close();
  await api?.close();
});

describe('KubeSource', () => {
  it('delivers the first snapshot with every kind listed, as plain objects with kind set', () => {
    const first = snapshots[0];
    expect(first.ingressClasses.map((o) => o.metadata?.name)).toEqual(['sluice']);
    expect(first.services.map((o) => o.kind)).toEqual(['Service']);
    expect(slicePort(first)).toBe(1001);
    expect(first.ingresses).toEqual([]);
    expect(typeof first.services[0].metadata?.creationTimestamp).toBe('string');
    for (const path of [
      '/apis/networking.k8s.io/v1/ingresses',
      '/api/v1/services',
      '/apis/discovery.k8s.io/v1/endpointslices',
      '/api/v1/endpoints',
      '/api/v1/secrets',
      '/api/v1/configmaps',
      '/apis/networking.k8s.io/v1/ingressclasses',
    ]) {
      expect(api.requests).toContain(`GET ${path}`);
    }
  });

  it('follows watch events (add, modify, delete)', async () => {
    await waitFor(() => api.watchCount() === WATCHED.length, 5_000, 'one watch per watched kind');
    api.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: 'default' }, spec: { ingressClassName: 'sluice' } });
    api.apply(slice(1002));
    await waitFor(() => last().ingresses.length === 1 && slicePort(last()) === 1002, 5_000, 'ingress added, slice modified');
    api.remove('Ingress', 'shop', 'default');
    await waitFor(() => last().ingresses.length === 0, 5_000, 'ingress deleted');
  });

  it('relists after 410 Gone and misses nothing that changed meanwhile', async () => {
    const listsBefore = api.requests.filter((r) => r === 'GET /apis/discovery.k8s.io/v1/endpointslices').length;
    api.compact();
    api.dropWatches();
    api.apply(slice(1003));
    await waitFor(() => slicePort(last()) === 1003, 10_000, 'slice after relist');
    const listsAfter = api.requests.filter((r) => r === 'GET /apis/discovery.k8s.io/v1/endpointslices').length;
    expect(listsAfter).toBeGreaterThan(listsBefore);
  });

  it('reconnects every informer after its watch stream was cut', async () => {
    for (let i = 0; i < 3; i++) api.dropWatches();
    api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
    await waitFor(() => last().configMaps.length === 1, 10_000, 'configmap after reconnects');
    await waitFor(() => api.watchCount() === WATCHED.length, 10_000, 'watches back');
  });
});
