import type { GatewayResources } from './types.js';

type K8sObject = { kind?: string; metadata?: { namespace?: string; name?: string } } & Record<string, unknown>;

const COLLECTION: Record<string, keyof GatewayResources> = {
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
  RoutePolicy: 'routePolicies',
  Namespace: 'namespaces',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
};

const CLUSTER_SCOPED = new Set(['GatewayClass', 'Namespace']);

/** Parsed manifests → the translator's snapshot (namespaced objects default to "default"); other kinds are ignored. */
export function gatewayResourcesOf(objects: readonly K8sObject[]): GatewayResources {
  const resources = Object.fromEntries(Object.values(COLLECTION).map((c) => [c, [] as unknown[]])) as unknown as Record<keyof GatewayResources, unknown[]>;
  for (const o of objects) {
    const collection = o.kind ? COLLECTION[o.kind] : undefined;
    if (!collection) continue;
    resources[collection].push(CLUSTER_SCOPED.has(o.kind!) ? o : { ...o, metadata: { namespace: 'default', ...o.metadata } });
  }
  return resources as unknown as GatewayResources;
}
