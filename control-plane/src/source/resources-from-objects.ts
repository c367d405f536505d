import type { ClusterSnapshot } from './cluster-snapshot.js';

type KubeObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** kind → the field of the snapshot that holds it. Kinds not listed are ignored. */
const FIELD_BY_KIND: Record<string, keyof ClusterSnapshot> = {
  Ingress: 'ingresses',
  IngressClass: 'ingressClasses',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  RoutePolicy: 'routePolicies',
  Consumer: 'consumers',
  Namespace: 'namespaces',
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  ListenerSet: 'listenerSets',
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  TLSRoute: 'tlsRoutes',
  TCPRoute: 'tcpRoutes',
  UDPRoute: 'udpRoutes',
  ReferenceGrant: 'referenceGrants',
  BackendTLSPolicy: 'backendTlsPolicies',
};

/** Kinds without a namespace; every other kind lands in `default` when the manifest names none, as kubectl does. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['IngressClass', 'GatewayClass', 'Namespace']);

export function emptyResources(): ClusterSnapshot {
  return {
    ingresses: [],
    ingressClasses: [],
    services: [],
    endpointSlices: [],
    endpoints: [],
    secrets: [],
    configMaps: [],
    routePolicies: [],
    consumers: [],
    namespaces: [],
    gatewayClasses: [],
    gateways: [],
    listenerSets: [],
    httpRoutes: [],
    grpcRoutes: [],
    tlsRoutes: [],
    tcpRoutes: [],
    udpRoutes: [],
    referenceGrants: [],
    backendTlsPolicies: [],
  };
}

/** Sorts loose Kubernetes objects (from manifests) into a snapshot; later duplicates replace earlier ones. */
export function resourcesFromObjects(objects: readonly unknown[]): ClusterSnapshot {
  const byField = new Map<keyof ClusterSnapshot, Map<string, unknown>>();
  for (const raw of objects) {
    if (raw === null || typeof raw !== 'object') continue;
    const obj = raw as KubeObject;
    const field = obj.kind ? FIELD_BY_KIND[obj.kind] : undefined;
    if (!field || !obj.metadata?.name) continue;
    const scoped = CLUSTER_SCOPED.has(obj.kind!) ? obj : { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? 'default' } };
    const key = `${scoped.metadata!.namespace ?? ''}/${scoped.metadata!.name}`;
    if (!byField.has(field)) byField.set(field, new Map());
    byField.get(field)!.set(key, scoped);
  }
  const out = emptyResources() as unknown as Record<keyof ClusterSnapshot, unknown[]>;
  for (const [field, items] of byField) out[field] = [...items.values()];
  return out as unknown as ClusterSnapshot;
}

/** The field of the snapshot a kind belongs to, if we read it at all. */
export function resourceField(kind: string | undefined): keyof ClusterSnapshot | undefined {
  return kind ? FIELD_BY_KIND[kind] : undefined;
}
