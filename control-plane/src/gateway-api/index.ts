import { kindByCollection, validateDocument } from '@sluice/model';
import { upstreamOf } from '../translate/emit-documents.js';
import { compareAge } from '../translate/object-ref.js';
import { shortHash } from '../translate/short-hash.js';
import type { UpstreamRef } from '../translate/route-draft.js';
import type { TranslatedDocument, TranslateWarning } from '../translate/types.js';
import { routeParentsStatus } from './attach-route.js';
import { BackendTlsPolicies } from './backend-tls-policies.js';
import { condition } from './conditions.js';
import { gatewayStatus, listenerDocument, resolveGateways } from './gateway-listeners.js';
import { attachedListenerSets, listenerSetStatus, resolveListenerSets } from './listener-sets.js';
import { translateHttpRoutes, type RouteOutcome } from './http-routes.js';
import { translateStreamRoutes } from './stream-routes.js';
import type { GatewayApiObject, GatewayObjectStatus, GatewayResources, GatewayTranslateOptions, GatewayTranslateResult } from './types.js';

/**
 * Gateway API objects → listener, route, stream-route, upstream and ssl documents, warnings,
 * and the status of every object we own. Pure: no I/O, no clock; the output is sorted, so the
 * same snapshot always gives the same result.
 */
export function translateGatewayApi(resources: GatewayResources, options: GatewayTranslateOptions): GatewayTranslateResult {
  const warnings: TranslateWarning[] = [];
  const warn = (object: string, message: string) => warnings.push({ object, message });

  // 1. Our GatewayClasses, then their Gateways: listeners, addresses, certificates.
  const classes = resources.gatewayClasses.filter((c) => c.spec?.controllerName === options.controllerName);
  const resolved = resolveGateways(resources, new Set(classes.map((c) => c.metadata?.name ?? '')), options);
  const { gateways } = resolved;
  // ListenerSets merge more listeners into their Gateways (GEP-1713).
  const { listenerSets, ssls } = resolveListenerSets(resources, gateways, resolved.ssls);

  // 2. Routes, oldest first (the spec's tie-break), attached to listeners; backends resolved.
  const policies = new BackendTlsPolicies(resources, gateways);
  const shared = { resources, gateways, policies, warn };
  const sorted = (list: readonly GatewayApiObject[]) => [...list].sort(compareAge);
  const http = translateHttpRoutes('HTTPRoute', sorted(resources.httpRoutes), shared);
  const grpc = translateHttpRoutes('GRPCRoute', sorted(resources.grpcRoutes), shared);
  const streams = (['TLSRoute', 'TCPRoute', 'UDPRoute'] as const).map((kind) =>
    translateStreamRoutes(kind, sorted(resources[({ TLSRoute: 'tlsRoutes', TCPRoute: 'tcpRoutes', UDPRoute: 'udpRoutes' } as const)[kind]]), shared),
  );

  // 3. Documents, validated like every other document (each route carries its precedence key).
  const documents: TranslatedDocument[] = [];
  const upstreams = new Map<string, UpstreamRef>();
  const keep = (collection: string, doc: TranslatedDocument['doc'], object: string) => {
    const issues = validateDocument(kindByCollection(collection)!, doc);
    if (issues.length === 0) documents.push({ collection, doc });
    else warn(object, `${String(doc.name ?? doc.id)} is invalid and was left out: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    return issues.length === 0;
  };
  for (const draft of [...http.drafts, ...grpc.drafts]) {
    const o = draft.route.owner!;
    if (keep('routes', draft.route as TranslatedDocument['doc'], `${o.kind}/${o.namespace}/${o.name}`))
      for (const u of draft.upstreams) upstreams.set(shortHash(JSON.stringify([u.draft.key, u.overrides])), u);
  }
  for (const { doc, upstreams: refs } of streams.flatMap((s) => s.streamRoutes)) {
    const o = doc.owner!;
    if (keep('stream-routes', doc as TranslatedDocument['doc'], `${o.kind}/${o.namespace}/${o.name}`))
      for (const u of refs) upstreams.set(shortHash(JSON.stringify([u.draft.key, u.overrides])), u);
  }
  const seenUpstreams = new Set<string>();
  for (const ref of upstreams.values()) {
    const doc = upstreamOf(ref);
    if (seenUpstreams.has(doc.id)) continue;
    seenUpstreams.add(doc.id);
    keep('upstreams', doc as TranslatedDocument['doc'], `Service/${ref.draft.owner.namespace}/${ref.draft.owner.name}`);
  }
  for (const g of gateways) {
    if (g.conditions[0]!.status !== 'True') continue;
    for (const l of g.listeners.filter((x) => x.usable))
      keep('listeners', listenerDocument(l) as TranslatedDocument['doc'], `Gateway/${g.namespace}/${g.name}`);
    for (const set of (g.listenerSets ?? []).filter((s) => s.accepted))
      for (const l of set.listeners.filter((x) => x.usable))
        keep('listeners', listenerDocument(l) as TranslatedDocument['doc'], `ListenerSet/${set.namespace}/${set.name}`);
  }
  for (const ssl of ssls) keep('ssls', ssl as TranslatedDocument['doc'], `Secret/${ssl.owner!.namespace}/${ssl.owner!.name}`);

  // 4. Statuses: classes, Gateways (after every route attached: attachedRoutes), routes, policies.
  const statuses: GatewayObjectStatus[] = [
    ...classes.map((c) => ({
      object: `GatewayClass/${c.metadata?.name}`,
      kind: 'GatewayClass',
      name: c.metadata?.name ?? '',
      status: {
        conditions: [
          condition(c, 'Accepted', true, 'Accepted', 'GatewayClass accepted'),
          condition(c, 'SupportedVersion', true, 'SupportedVersion', 'supported'),
        ],
      },
    })),
    ...gateways.map((g) => ({
      object: `Gateway/${g.namespace}/${g.name}`,
      kind: 'Gateway',
      namespace: g.namespace,
      name: g.name,
      status: { ...gatewayStatus(g), ...(g.listenerSets?.length ? { attachedListenerSets: attachedListenerSets(g) } : {}) },
    })),
    ...listenerSets.map((s) => ({
      object: `ListenerSet/${s.namespace}/${s.name}`,
      kind: 'ListenerSet',
      namespace: s.namespace,
      name: s.name,
      status: listenerSetStatus(s),
    })),
    ...[...http.outcomes, ...grpc.outcomes, ...streams.flatMap((s) => s.outcomes)].map((o) => routeStatus(o, options.controllerName)),
    ...policies.statuses(options.controllerName).map(({ policy, status }) => ({
      object: `BackendTLSPolicy/${policy.metadata?.namespace}/${policy.metadata?.name}`,
      kind: 'BackendTLSPolicy',
      namespace: policy.metadata?.namespace ?? 'default',
      name: policy.metadata?.name ?? '',
      status,
    })),
  ];
  return {
    documents: documents.sort((a, b) => a.collection.localeCompare(b.collection) || a.doc.id.localeCompare(b.doc.id)),
    warnings: warnings.sort((a, b) => a.object.localeCompare(b.object)),
    statuses: statuses.sort((a, b) => a.object.localeCompare(b.object)),
  };
}

function routeStatus(o: RouteOutcome, controllerName: string): GatewayObjectStatus {
  const namespace = o.route.metadata?.namespace ?? 'default';
  const name = o.route.metadata?.name ?? '';
  return { object: `${o.kind}/${namespace}/${name}`, kind: o.kind, namespace, name, status: routeParentsStatus(o.parents, o.resolvedRefs, controllerName) };
}

export type { GatewayResources, GatewayTranslateOptions, GatewayTranslateResult, GatewayObjectStatus, GatewayApiObject, Condition } from './types.js';
