import { canonicalJson, kindByCollection, validateDocument } from '@sluice/model';
import { compareAge, namespaceOf } from '../translate/object-ref.js';
import type { TranslatedDocument } from '../translate/types.js';
import type { PolicyTargetRef, RoutePolicy } from './crd-schemas.js';
import { resolveGatewayApiTarget, type RouteDocument } from './gateway-api-targets.js';
import { condition, type PolicyStatus } from './policy-conditions.js';
import { validateRoutePolicy } from './validate-route-policy.js';

/** The API group each target kind lives in ('' is the core group). */
const GROUP_OF_KIND: Record<PolicyTargetRef['kind'], string> = {
  Service: '',
  Ingress: 'networking.k8s.io',
  Gateway: 'gateway.networking.k8s.io',
  HTTPRoute: 'gateway.networking.k8s.io',
};

/** Precedence of a target kind: a policy on a more specific object overrides one on a broader object. */
const TIER: Record<PolicyTargetRef['kind'], number> = { Gateway: 1, Service: 1, Ingress: 2, HTTPRoute: 2 };

interface Attachment {
  policy: RoutePolicy;
  tier: number;
  age: number;
}

export interface AppliedPolicies {
  documents: TranslatedDocument[];
  statuses: PolicyStatus[];
}

/**
 * RoutePolicies → plugins on the routes the translator already made. Precedence, lowest first:
 * the route's own plugins (annotations) < a policy on the route's Service < a policy on its
 * Ingress (or HTTPRoute); within one target kind the higher `priority` wins, then the older
 * policy. Two policies with the same priority setting the same plugin on the same target
 * conflict: the older wins, the newer is `Conflicted=True` (its other plugins still apply).
 * Pure, like the rest of the translator.
 */
export function applyRoutePolicies(documents: readonly TranslatedDocument[], policies: readonly RoutePolicy[]): AppliedPolicies {
  const routes = documents.filter((d) => d.collection === 'routes').map((d) => d.doc as unknown as RouteDocument);
  const serviceOf = upstreamServices(documents);
  const ordered = [...policies].sort(compareAge);
  const attachments = new Map<string, Attachment[]>();
  const statuses: PolicyStatus[] = [];
  /** "Kind/ns/name" of a target → plugin name → the policy holding it (the first one seen is the oldest). */
  const holders = new Map<string, Map<string, RoutePolicy[]>>();

  ordered.forEach((policy, age) => {
    const namespace = namespaceOf(policy);
    const generation = policy.metadata?.generation;
    const base = { kind: 'RoutePolicy' as const, namespace, name: policy.metadata?.name ?? '', ...(generation !== undefined ? { generation } : {}) };
    const issues = validateRoutePolicy(policy.spec);
    if (issues.length > 0) {
      const message = issues.map((i) => `${i.path} ${i.message}`).join('; ');
      statuses.push({ ...base, conditions: [condition('Accepted', false, 'Invalid', message, generation)] });
      return;
    }
    const spec = policy.spec!;
    const missing: string[] = [];
    let attached = 0;
    for (const ref of spec.targetRefs) {
      const targetKey = `${ref.kind}/${namespace}/${ref.name}`;
      const found = resolveTarget(ref, namespace, routes, serviceOf);
      if (typeof found === 'string') {
        missing.push(`${targetKey}: ${found}`);
        continue;
      }
      const byPlugin = holders.get(targetKey) ?? new Map<string, RoutePolicy[]>();
      holders.set(targetKey, byPlugin);
      for (const plugin of Object.keys(spec.plugins)) byPlugin.set(plugin, [...(byPlugin.get(plugin) ?? []), policy]);
      for (const route of found) {
        const list = attachments.get(route.id) ?? [];
        list.push({ policy, tier: TIER[ref.kind], age });
        attachments.set(route.id, list);
        attached++;
      }
    }
    const conditions = [
      attached > 0
        ? condition('Accepted', true, 'Accepted', `attached to ${attached} route(s)`, generation)
        : condition('Accepted', false, 'TargetNotFound', missing.join('; '), generation),
      missing.length === 0
        ? condition('ResolvedRefs', true, 'ResolvedRefs', 'every target was found', generation)
        : condition('ResolvedRefs', false, 'TargetNotFound', missing.join('; '), generation),
    ];
    statuses.push({ ...base, conditions });
  });

  // Conflicts: per target and plugin, every later policy with the priority of the first (oldest) holder.
  const conflicts = new Map<RoutePolicy, string[]>();
  for (const [target, byPlugin] of holders) {
    for (const [plugin, list] of byPlugin) {
      const [oldest, ...newer] = list;
      for (const p of newer) {
        if ((p.spec!.priority ?? 0) !== (oldest.spec!.priority ?? 0)) continue;
        const note = `plugin ${plugin} on ${target} is already set by the older RoutePolicy ${namespaceOf(oldest)}/${oldest.metadata?.name}`;
        conflicts.set(p, [...(conflicts.get(p) ?? []), note]);
      }
    }
  }
  ordered.forEach((policy) => {
    const status = statuses.find((s) => s.namespace === namespaceOf(policy) && s.name === policy.metadata?.name)!;
    if (status.conditions[0].reason === 'Invalid') return;
    const notes = conflicts.get(policy);
    const generation = policy.metadata?.generation;
    status.conditions.push(
      notes
        ? condition('Conflicted', true, 'Conflicted', notes.join('; '), generation)
        : condition('Conflicted', false, 'NoConflicts', 'no other policy sets these plugins on these targets', generation),
    );
  });

  const out = documents.map((d) => {
    const list = d.collection === 'routes' ? attachments.get(d.doc.id) : undefined;
    return list ? withPolicies(d, list) : d;
  });
  return { documents: out, statuses };
}

/** The route with its policies merged in, lowest precedence first; the unchanged route if the result is invalid. */
function withPolicies(d: TranslatedDocument, list: Attachment[]): TranslatedDocument {
  const sorted = [...list].sort((a, b) => a.tier - b.tier || (a.policy.spec!.priority ?? 0) - (b.policy.spec!.priority ?? 0) || b.age - a.age);
  const plugins: Record<string, unknown> = { ...((d.doc.plugins as Record<string, unknown> | undefined) ?? {}) };
  for (const { policy } of sorted) Object.assign(plugins, policy.spec!.plugins);
  const doc = { ...d.doc, plugins: Object.fromEntries(Object.entries(plugins).sort(([a], [b]) => a.localeCompare(b))) };
  if (canonicalJson(doc) === canonicalJson(d.doc)) return d;
  return validateDocument(kindByCollection('routes')!, doc).length === 0 ? { collection: d.collection, doc } : d;
}

/** The routes a target stands for, or why there are none. */
function resolveTarget(
  ref: PolicyTargetRef,
  namespace: string,
  routes: readonly RouteDocument[],
  serviceOf: ReadonlyMap<string, string>,
): RouteDocument[] | string {
  const group = ref.group === 'core' ? '' : ref.group;
  if (group !== GROUP_OF_KIND[ref.kind]) return `kind ${ref.kind} is not in group "${ref.group}" (expected "${GROUP_OF_KIND[ref.kind]}")`;
  let found: RouteDocument[] | undefined;
  if (ref.kind === 'Ingress') {
    found = routes.filter((r) => r.owner.kind === 'Ingress' && r.owner.namespace === namespace && r.owner.name === ref.name);
  } else if (ref.kind === 'Service') {
    const service = `${namespace}/${ref.name}`;
    found = routes.filter((r) => ((r.backends as { upstreamId: string }[] | undefined) ?? []).some((b) => serviceOf.get(b.upstreamId) === service));
  } else {
    found = resolveGatewayApiTarget(ref, namespace, routes);
  }
  if (!found || found.length === 0) return ref.kind === 'Ingress' || ref.kind === 'Service' ? 'no route of ours uses it' : 'not resolvable yet';
  return found;
}

/** upstream id → "namespace/name" of the Service it was made from. */
function upstreamServices(documents: readonly TranslatedDocument[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of documents) {
    if (d.collection === 'upstreams' && d.doc.owner.kind === 'Service') out.set(d.doc.id, `${d.doc.owner.namespace}/${d.doc.owner.name}`);
  }
  return out;
}
