import type { V1Ingress } from '@kubernetes/client-node';
import { validateSchema } from '@sluice/model';
import { ConsumerSpec, type RoutePolicy } from '../policy/crd-schemas.js';
import { findCondition } from '../policy/policy-conditions.js';
import { validateRoutePolicy } from '../policy/validate-route-policy.js';
import { translate } from '../translate/index.js';
import { objectRef } from '../translate/object-ref.js';
import type { Resources, TranslateOptions } from '../translate/types.js';

type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec?: unknown;
  [k: string]: unknown;
};

/** The parts of an `admission.k8s.io/v1` AdmissionReview request we read. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  object?: KubeObject;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

interface Verdict {
  denied: string[];
  warnings: string[];
}

/** Warnings of the translator that mean the object cannot work as written (the rest are advice). */
const FATAL_WARNINGS = [/^annotation \S+ ignored: /, /is not a valid regular expression/];

/**
 * An AdmissionReview → its answer, by running the same translator the control plane runs on the
 * object in the context of everything else (`resources`: the cluster as the webhook's source sees
 * it). Refused, with the reason: snippet annotations, invalid annotation values, bad regex paths,
 * invalid RoutePolicy plugin configs, a RoutePolicy that conflicts with an older one, an invalid
 * Consumer, an obviously malformed HTTPRoute. Unknown annotations, missing Services and targets
 * that do not exist yet are allowed with a warning: they may be created next. Pure.
 */
export function reviewAdmission(request: AdmissionRequest, resources: Resources, options: TranslateOptions): AdmissionResponse {
  const verdict = request.operation === 'DELETE' || !request.object ? { denied: [], warnings: [] } : judge(request, withNamespace(request), resources, options);
  const response: AdmissionResponse = { uid: request.uid, allowed: verdict.denied.length === 0 };
  if (!response.allowed) response.status = { code: 400, reason: 'Invalid', message: `${request.kind.kind} refused by sluice: ${verdict.denied.join('; ')}` };
  if (verdict.warnings.length > 0) response.warnings = verdict.warnings.slice(0, 20).map((w) => w.slice(0, 512));
  return response;
}

function withNamespace(request: AdmissionRequest): KubeObject {
  const object = request.object!;
  return { ...object, metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? request.namespace ?? 'default' } };
}

function judge(request: AdmissionRequest, object: KubeObject, resources: Resources, options: TranslateOptions): Verdict {
  switch (request.kind.kind) {
    case 'Ingress':
      return judgeIngress(object as V1Ingress, resources, options);
    case 'RoutePolicy':
      return judgeRoutePolicy(object as RoutePolicy, resources, options);
    case 'Consumer':
      return { denied: validateSchema(ConsumerSpec, object.spec).map((i) => `spec${i.path === '/' ? '' : i.path} ${i.message}`), warnings: [] };
    case 'HTTPRoute':
      return judgeHttpRoute(object);
    default:
      return { denied: [], warnings: [] };
  }
}

function judgeIngress(ingress: V1Ingress, resources: Resources, options: TranslateOptions): Verdict {
  const ref = objectRef('Ingress', ingress);
  const result = translate({ ...resources, ingresses: [...without(resources.ingresses, ingress), ingress] }, options);
  // Not ours (another class): not our business.
  if (!result.statuses.some((s) => s.object === ref)) return { denied: [], warnings: [] };
  const mine = result.warnings.filter((w) => w.object === ref).map((w) => w.message);
  return { denied: mine.filter((m) => FATAL_WARNINGS.some((re) => re.test(m))), warnings: mine.filter((m) => !FATAL_WARNINGS.some((re) => re.test(m))) };
}

function judgeRoutePolicy(policy: RoutePolicy, resources: Resources, options: TranslateOptions): Verdict {
  const issues = validateRoutePolicy(policy.spec);
  if (issues.length > 0) return { denied: issues.map((i) => `${i.path.slice(1)} ${i.message}`), warnings: [] };
  const result = translate({ ...resources, routePolicies: [...without(resources.routePolicies ?? [], policy), policy] }, options);
  const status = result.policyStatuses?.find((s) => s.kind === 'RoutePolicy' && s.namespace === policy.metadata?.namespace && s.name === policy.metadata?.name);
  const conflicted = findCondition(status, 'Conflicted');
  const resolved = findCondition(status, 'ResolvedRefs');
  return {
    denied: conflicted?.status === 'True' ? [conflicted.message] : [],
    warnings: resolved?.status === 'False' ? [resolved.message] : [],
  };
}

/** Full HTTPRoute checks come with the Gateway API translator; until then only the shape. */
function judgeHttpRoute(route: KubeObject): Verdict {
  const spec = route.spec as { parentRefs?: unknown; rules?: unknown } | undefined;
  const denied: string[] = [];
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) denied.push('spec must be an object');
  else {
    if (spec.parentRefs !== undefined && !Array.isArray(spec.parentRefs)) denied.push('spec.parentRefs must be a list');
    if (spec.rules !== undefined && !Array.isArray(spec.rules)) denied.push('spec.rules must be a list');
  }
  return { denied, warnings: [] };
}

/** The list without the stored version of `obj` (an UPDATE replaces it). */
function without<T extends { metadata?: { name?: string; namespace?: string } }>(
  list: readonly T[],
  obj: { metadata?: { name?: string; namespace?: string } },
): T[] {
  return list.filter((o) => !(o.metadata?.name === obj.metadata?.name && (o.metadata?.namespace ?? 'default') === (obj.metadata?.namespace ?? 'default')));
}
