import { describe, expect, it } from 'vitest';
import { resourcesFromObjects } from './source/resources-from-objects.js';
import { translateCluster, unionOfDocuments } from './translate-cluster.js';
import type { TranslatedDocument } from './translate/types.js';

const upstream = (id: string, extra: Record<string, unknown> = {}): TranslatedDocument => ({
  collection: 'upstreams',
  doc: { id, owner: { kind: 'Service', namespace: 'default', name: 'shop' }, nodes: [{ host: '10.0.0.1', port: 80, weight: 1 }], ...extra },
});
const route = (id: string, upstreamId: string, kind: string): TranslatedDocument => ({
  collection: 'routes',
  doc: { id, owner: { kind, namespace: 'default', name: 'shop' }, backends: [{ upstreamId, weight: 1 }] },
});

describe('unionOfDocuments', () => {
  it('shares an identical upstream once', () => {
    const docs = unionOfDocuments([upstream('k8s-a'), route('k8s-r1', 'k8s-a', 'Ingress')], [upstream('k8s-a'), route('k8s-r2', 'k8s-a', 'HTTPRoute')]);
    expect(docs.map((d) => `${d.collection}/${d.doc.id}`)).toEqual(['routes/k8s-r1', 'routes/k8s-r2', 'upstreams/k8s-a']);
  });

  it('renames a Gateway API document whose id an Ingress document with other content holds, and its references follow', () => {
    const docs = unionOfDocuments(
      [upstream('k8s-a', { timeout: { read: 5 } }), route('k8s-r1', 'k8s-a', 'Ingress')],
      [upstream('k8s-a'), route('k8s-r2', 'k8s-a', 'HTTPRoute')],
    );
    const upstreams = docs.filter((d) => d.collection === 'upstreams');
    expect(upstreams).toHaveLength(2);
    const renamed = upstreams.find((u) => u.doc.id !== 'k8s-a')!;
    expect(renamed.doc.id).toMatch(/^k8s-[0-9a-f]{16}$/);
    expect(renamed.doc.timeout).toBeUndefined();
    expect(docs.find((d) => d.doc.id === 'k8s-r2')!.doc.backends).toEqual([{ upstreamId: renamed.doc.id, weight: 1 }]);
    expect(docs.find((d) => d.doc.id === 'k8s-r1')!.doc.backends).toEqual([{ upstreamId: 'k8s-a', weight: 1 }]);
  });
});

describe('translateCluster', () => {
  it('runs both translators on one snapshot: Ingress and HTTPRoute documents side by side, Gateway API statuses apart', () => {
    const snapshot = resourcesFromObjects([
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice' }, spec: { controller: 'sluice.dev/gateway-controller' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop' }, spec: { ports: [{ name: 'http', port: 80 }] } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'shop' },
        spec: {
          ingressClassName: 'sluice',
          rules: [{ http: { paths: [{ path: '/a', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }],
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'sluice', generation: 1 },
        spec: { controllerName: 'sluice.dev/gateway-controller' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'web', generation: 1 },
        spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'shop', generation: 1 },
        spec: {
          parentRefs: [{ name: 'web' }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/b' } }], backendRefs: [{ name: 'shop', port: 80 }] }],
        },
      },
    ]);
    const result = translateCluster(snapshot, {
      ingressClass: 'sluice',
      controllerName: 'sluice.dev/gateway-controller',
      watchIngressWithoutClass: false,
      gatewayAddressPool: '127.0.1.0/24',
    });
    const owners = result.documents.map((d) => `${d.collection} ${d.doc.owner.kind}`);
    expect(owners).toContain('routes Ingress');
    expect(owners).toContain('routes HTTPRoute');
    expect(owners).toContain('listeners Gateway');
    // Same Service port, no overrides: one shared upstream.
    expect(owners.filter((o) => o.startsWith('upstreams'))).toEqual(['upstreams Service']);
    expect(new Set(result.documents.map((d) => `${d.collection}/${d.doc.id}`)).size).toBe(result.documents.length);
    expect(result.statuses.map((s) => s.object)).toContain('Ingress/default/shop');
    expect(result.gatewayStatuses.map((s) => s.object)).toEqual(['Gateway/default/web', 'GatewayClass/sluice', 'HTTPRoute/default/shop']);
    expect(result.documents.find((d) => d.collection === 'listeners')!.doc.address).toBe('127.0.1.1');
  });
});
