import type { StreamRoute } from '@sluice/model';
import { shortHash } from '../translate/short-hash.js';
import { upstreamIdOf, type UpstreamRef } from '../translate/route-draft.js';
import { attachRoute } from './attach-route.js';
import { firstFailure, resolveBackendRef } from './backend-refs.js';
import type { BackendTlsPolicies } from './backend-tls-policies.js';
import { condition } from './conditions.js';
import type { GatewayState, ListenerState } from './gateway-listeners.js';
import type { RouteOutcome } from './http-routes.js';
import type { GatewayApiObject, GatewayResources } from './types.js';

const PROTOCOL = { TLSRoute: 'tls', TCPRoute: 'tcp', UDPRoute: 'udp' } as const;

/**
 * TLSRoute, TCPRoute and UDPRoute → stream routes on the listener's port, one per listener
 * (and, for TLS, per SNI hostname of the intersection). The listener document says whether TLS
 * is terminated or passed through. A route without any valid backend gets a stream route with
 * no backends, so its connections are closed (the spec's "reset" for unresolved backends).
 */
export function translateStreamRoutes(
  kind: keyof typeof PROTOCOL,
  routes: readonly GatewayApiObject[],
  shared: { resources: GatewayResources; gateways: readonly GatewayState[]; policies: BackendTlsPolicies; warn: (object: string, message: string) => void },
): { streamRoutes: { doc: StreamRoute; upstreams: UpstreamRef[] }[]; outcomes: RouteOutcome[] } {
  const streamRoutes: { doc: StreamRoute; upstreams: UpstreamRef[] }[] = [];
  const outcomes: RouteOutcome[] = [];
  for (const route of routes) {
    const namespace = route.metadata?.namespace ?? 'default';
    const name = route.metadata?.name ?? '';
    const object = `${kind}/${namespace}/${name}`;
    const warn = (m: string) => shared.warn(object, m);
    const parents = attachRoute(route, kind, shared.gateways, kind === 'TLSRoute');
    if (parents.length === 0) continue;
    const refs = ((route.spec?.rules ?? []) as any[]).flatMap((r) => (r?.backendRefs ?? []) as any[]);
    const backends = refs.map((ref) => resolveBackendRef(ref, route, kind, shared.resources, shared.policies, {}, warn));
    const failure = firstFailure(backends);
    outcomes.push({
      route,
      kind,
      parents,
      resolvedRefs: failure
        ? condition(route, 'ResolvedRefs', false, failure.reason, failure.message)
        : condition(route, 'ResolvedRefs', true, 'ResolvedRefs', 'all references resolved'),
    });
    const valid = backends.filter((b) => b.ok && b.weight > 0).flatMap((b) => (b.ok ? [b] : []));
    if (valid.length === 0) warn('no valid backend; connections are closed');
    const usedGateways = [...new Set(parents.flatMap((p) => p.listeners.map((l) => l.listener.gateway)))];
    for (const b of valid) shared.policies.noteUse(b.upstream.draft.owner.namespace, b.upstream.draft.owner.name, usedGateways);
    const seen = new Set<ListenerState>();
    for (const a of parents.flatMap((p) => p.listeners)) {
      if (seen.has(a.listener)) continue;
      seen.add(a.listener);
      const l = a.listener;
      // BackendTLSPolicy re-encrypts only behind a TLS Terminate listener: passthrough bytes are
      // already TLS, and TCP/UDP routes carry no TLS of ours.
      const reencrypt = kind === 'TLSRoute' && l.tlsMode === 'Terminate';
      const upstreams = valid.map((b) => (reencrypt ? b.upstream : withoutTls(b.upstream)));
      for (const host of a.hosts.length ? a.hosts : [undefined]) {
        const docName = `${kind.toLowerCase()}/${namespace}/${name}/gateway/${l.gateway.namespace}/${l.gateway.name}/listener/${l.name}${host ? `/sni/${host}` : ''}`;
        const uid = route.metadata?.uid;
        streamRoutes.push({
          doc: {
            id: shortHash(docName),
            name: docName,
            owner: { kind, namespace, name, ...(uid ? { uid } : {}) },
            protocol: PROTOCOL[kind],
            listenPort: l.port,
            ...(host ? { sni: host } : {}),
            listener: l.id,
            ...(valid.length ? { backends: valid.map((b, i) => ({ upstreamId: upstreamIdOf(upstreams[i]!), weight: b.weight })) } : {}),
          },
          upstreams,
        });
      }
    }
  }
  return { streamRoutes, outcomes };
}

/** The upstream without the TLS a BackendTLSPolicy added (plain TCP to the backend). */
function withoutTls(ref: UpstreamRef): UpstreamRef {
  if (ref.overrides.tls === undefined) return ref;
  const { tls: _tls, scheme: _scheme, ...overrides } = ref.overrides;
  return { draft: ref.draft, overrides };
}
