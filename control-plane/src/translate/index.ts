import type { V1Ingress } from '@kubernetes/client-node';
import { applyAnnotations } from './apply-annotations.js';
import { NGINX } from './annotations/index.js';
import { translateDefaultBackendService } from './default-backend-service.js';
import { emitDocuments } from './emit-documents.js';
import { readGlobalConfig, type GlobalConfig } from './global-config.js';
import { translateIngressRoutes } from './ingress-routes.js';
import { translateAppRootRoutes } from './app-root-routes.js';
import { mergeCanaries } from './merge-canaries.js';
import { compareAge, objectRef } from './object-ref.js';
import { readAnnotations, type ValidAnnotations } from './read-annotations.js';
import { resolveConflicts } from './resolve-conflicts.js';
import type { RouteDraft } from './route-draft.js';
import { selectIngresses } from './select-ingresses.js';
import { translateStreamServices } from './stream-services.js';
import { translateTls } from './translate-tls.js';
import { clientAuthOf } from './client-auth.js';
import { DEFAULT_HTTPS_PORT, translateSslPassthrough } from './ssl-passthrough-routes.js';
import { translatePolicies } from '../policy/translate-policies.js';
import type { ObjectStatus, Resources, TranslatedDocument, TranslateOptions, TranslateResult, TranslateWarning } from './types.js';

/**
 * Kubernetes objects → etcd documents, warnings and Ingress statuses. Pure: no I/O, no clock,
 * no randomness; the output is sorted, so the same input always gives the same result.
 */
export function translate(resources: Resources, options: TranslateOptions): TranslateResult {
  const warnings: TranslateWarning[] = [];
  const warn = (object: string, message: string) => warnings.push({ object, message });

  // 1. Class first: Ingresses of other controllers must not even produce warnings.
  //    Oldest first, so warnings come out in a stable, meaningful order.
  const ingresses = selectIngresses(resources.ingresses, resources.ingressClasses, options).sort(compareAge);

  // 2. Annotations are checked before paths, because use-regex / rewrite-target change the match.
  //    The global ConfigMap's timeouts, body size and ssl-redirect are defaults of those annotations.
  const global = readGlobalConfig(resources, options.configMap, warn);
  const annotations = new Map<V1Ingress, ValidAnnotations>(
    ingresses.map((ing) => [ing, new Map([...global.annotationDefaults, ...readAnnotations(ing, (m) => warn(objectRef('Ingress', ing), m))])]),
  );
  const isCanary = (ing: V1Ingress) => annotations.get(ing)!.get(`${NGINX}canary`) === 'true';

  // 3. One draft per rule path and default backend; canaries are kept apart (they merge, never conflict).
  const draftsOf = new Map<V1Ingress, RouteDraft[]>(
    ingresses.map((ing) => [ing, translateIngressRoutes(ing, annotations.get(ing)!, resources, (m) => warn(objectRef('Ingress', ing), m))]),
  );
  // 3b. app-root: a host's "/" redirects even where the Ingress declares no "/" path (after all
  //     drafts, because a host where another Ingress serves "/" keeps that location).
  const served = ingresses.filter((i) => !isCanary(i));
  const rootDrafts = translateAppRootRoutes(
    served,
    (i) => annotations.get(i)!,
    draftsOf,
    served.flatMap((i) => draftsOf.get(i)!),
  );
  for (const [ing, drafts] of rootDrafts) draftsOf.get(ing)!.push(...drafts);
  const mainDrafts = served.flatMap((i) => draftsOf.get(i)!);
  const canaryDrafts = ingresses.filter(isCanary).flatMap((i) => draftsOf.get(i)!);

  // 4. Conflicts before annotations: a losing path must not add upstreams or plugins.
  const routes = resolveConflicts(mainDrafts, warn);

  // 5. Annotations on the winners and on canaries (a canary's upstream overrides count).
  const draftsByIngress = new Map<V1Ingress, RouteDraft[]>();
  for (const d of [...routes, ...canaryDrafts]) {
    const list = draftsByIngress.get(d.ingress);
    if (list) list.push(d);
    else draftsByIngress.set(d.ingress, [d]);
  }
  for (const ing of ingresses) {
    applyAnnotations(draftsByIngress.get(ing) ?? [], annotations.get(ing)!, resources, (m) => warn(objectRef('Ingress', ing), m));
  }
  addGlobalPlugins([...routes, ...canaryDrafts], global);

  // 6. Canaries after annotations, so each canary's upstream id includes its overrides.
  const orphans = mergeCanaries(routes, canaryDrafts, (d) => annotations.get(d.ingress)!, warn);

  // 7. The controller-wide default backend sits below everything (priority -2).
  if (options.defaultBackendService) {
    const fallback = translateDefaultBackendService(options.defaultBackendService, resources, (m) => warn('Controller/default-backend-service', m));
    if (fallback) routes.push(fallback);
  }

  // 8. TLS from every served Ingress; 9. documents (validated, sorted).
  const ssls = translateTls(served, resources, warn, (ing) => clientAuthOf(ing, annotations.get(ing)!, resources, (m) => warn(objectRef('Ingress', ing), m)));
  const ingressDocuments = [
    ...addUpstreamFields(emitDocuments(routes, ssls, warn), global),
    // 10. --tcp-services-configmap / --udp-services-configmap: stream routes, independent of Ingresses.
    ...translateStreamServices(resources, options.tcpServicesConfigMap, 'tcp', warn),
    ...translateStreamServices(resources, options.udpServicesConfigMap, 'udp', warn),
    // 11. ssl-passthrough hosts: tls stream routes on the HTTPS port.
    ...translateSslPassthrough(served, (ing) => annotations.get(ing)!, resources, options.httpsPort ?? DEFAULT_HTTPS_PORT, warn),
    // 12. The ConfigMap's real-IP settings: one global rule.
    ...global.globalRules,
  ];
  // 11. RoutePolicies and Consumers (sluice.dev CRDs) last: policies attach to the routes made above.
  const policies = translatePolicies(ingressDocuments, resources);
  const documents = policies.documents.sort((a, b) => a.collection.localeCompare(b.collection) || a.doc.id.localeCompare(b.doc.id));

  const servedRoutes = new Set(routes);
  const statuses = ingresses.map((ing) => statusOf(ing, draftsOf.get(ing)!, servedRoutes, orphans));
  return {
    documents,
    warnings: warnings.sort((a, b) => a.object.localeCompare(b.object)),
    statuses: statuses.sort((a, b) => a.object.localeCompare(b.object)),
    ...(policies.statuses.length ? { policyStatuses: policies.statuses } : {}),
  };
}

/** The ConfigMap's route-wide plugins (gzip), unless the route configured that plugin itself. */
function addGlobalPlugins(drafts: RouteDraft[], global: GlobalConfig): void {
  for (const draft of drafts) {
    for (const [name, config] of Object.entries(global.routePlugins)) draft.plugins[name] ??= config;
  }
}

/** The ConfigMap's upstream keep-alive on every translated upstream. */
function addUpstreamFields(documents: TranslatedDocument[], global: GlobalConfig): TranslatedDocument[] {
  if (Object.keys(global.upstreamFields).length === 0) return documents;
  return documents.map((d) => (d.collection === 'upstreams' ? { ...d, doc: { ...d.doc, ...global.upstreamFields } } : d));
}

/** Accepted unless every path it declared was lost (to a conflict, or a canary without main). */
function statusOf(ing: V1Ingress, drafts: RouteDraft[], routes: ReadonlySet<RouteDraft>, orphans: Set<RouteDraft>): ObjectStatus {
  const object = objectRef('Ingress', ing);
  if (drafts.length === 0) return { object, accepted: true, message: 'no paths to serve' };
  const isCanary = ing.metadata?.annotations?.[`${NGINX}canary`] === 'true';
  const served = drafts.filter((d) => (isCanary ? !orphans.has(d) : routes.has(d)));
  if (served.length === 0) return { object, accepted: false, message: 'every path is served by another Ingress or has no main Ingress' };
  return { object, accepted: true };
}

export type { Resources, TranslateOptions, TranslateResult, TranslatedDocument, TranslateWarning, ObjectStatus } from './types.js';
