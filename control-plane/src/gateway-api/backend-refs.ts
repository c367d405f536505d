import type { UpstreamRef, UpstreamOverrides } from '../translate/route-draft.js';
import { resolveServiceUpstream } from '../translate/service-upstream.js';
import type { BackendTlsPolicies } from './backend-tls-policies.js';
import { isReferencePermitted } from './reference-grants.js';
import { serviceResources } from './service-resources.js';
import { GATEWAY_GROUP, type GatewayApiObject, type GatewayResources } from './types.js';

export type ResolvedBackend =
  | { ok: true; upstream: UpstreamRef; weight: number; filters: any[] }
  | { ok: false; reason: string; message: string; weight: number };

/** appProtocols a Service port may declare that we can speak to. */
const KNOWN_APP_PROTOCOLS = new Set([
  'kubernetes.io/h2c',
  'kubernetes.io/ws',
  'kubernetes.io/wss',
  'http',
  'https',
  'h2c',
  'grpc',
  'ws',
  'wss',
  'tls',
  'tcp',
  'udp',
]);

/**
 * A route's backendRef → an upstream (Service port, nodes from EndpointSlices) with the
 * overrides the route and BackendTLSPolicy ask for, or the ResolvedRefs reason it fails with:
 * InvalidKind (not a core Service), RefNotPermitted (cross-namespace without ReferenceGrant),
 * BackendNotFound (no Service or port), UnsupportedProtocol (unknown appProtocol).
 */
export function resolveBackendRef(
  ref: any,
  route: GatewayApiObject,
  routeKind: string,
  resources: GatewayResources,
  policies: BackendTlsPolicies,
  overrides: UpstreamOverrides,
  warn: (message: string) => void,
): ResolvedBackend {
  const weight = typeof ref?.weight === 'number' ? ref.weight : 1;
  const group = ref?.group ?? '';
  const kind = ref?.kind ?? 'Service';
  const routeNamespace = route.metadata?.namespace ?? 'default';
  const namespace = ref?.namespace ?? routeNamespace;
  const name = String(ref?.name ?? '');
  if (group !== '' || kind !== 'Service') return { ok: false, reason: 'InvalidKind', message: `backendRef ${group}/${kind} ${name} is not a Service`, weight };
  const permitted = isReferencePermitted(
    resources.referenceGrants,
    { group: GATEWAY_GROUP, kind: routeKind, namespace: routeNamespace },
    { group: '', kind: 'Service', namespace, name },
  );
  if (!permitted)
    return { ok: false, reason: 'RefNotPermitted', message: `Service ${namespace}/${name} is in another namespace and no ReferenceGrant allows it`, weight };
  const service = resources.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  if (!service) return { ok: false, reason: 'BackendNotFound', message: `Service ${namespace}/${name} not found`, weight };
  if (typeof ref?.port !== 'number')
    return { ok: false, reason: 'BackendNotFound', message: `backendRef to Service ${namespace}/${name} needs a port`, weight };
  const port = (service.spec?.ports ?? []).find((p) => p.port === ref.port);
  if (!port && service.spec?.type !== 'ExternalName')
    return { ok: false, reason: 'BackendNotFound', message: `Service ${namespace}/${name} has no port ${ref.port}`, weight };
  const appProtocol = port?.appProtocol;
  if (appProtocol && !KNOWN_APP_PROTOCOLS.has(appProtocol.toLowerCase()))
    return { ok: false, reason: 'UnsupportedProtocol', message: `appProtocol ${appProtocol} of Service ${namespace}/${name} is not supported`, weight };

  const draft = resolveServiceUpstream(serviceResources(resources), namespace, { name, port: { number: ref.port } }, warn);
  const all: UpstreamOverrides = { ...overrides };
  // appProtocol kubernetes.io/h2c: HTTP/2 in clear with prior knowledge (gRPC routes already say grpc).
  if (appProtocol === 'kubernetes.io/h2c' && all.scheme === undefined) all.scheme = 'h2c';
  const tls = policies.forService(namespace, name, port?.name, routeKind, route);
  if (tls) {
    all.scheme = all.scheme === 'grpc' ? 'grpcs' : all.scheme === 'h2c' ? 'h2' : 'https';
    all.tls = tls;
  }
  return { ok: true, upstream: { draft, overrides: all }, weight, filters: Array.isArray(ref?.filters) ? ref.filters : [] };
}

/** The first failure among a route's backends decides ResolvedRefs (spec: any invalid ref makes it False). */
export function firstFailure(backends: readonly ResolvedBackend[]): { reason: string; message: string } | undefined {
  for (const b of backends) if (!b.ok) return { reason: b.reason, message: b.message };
  return undefined;
}
