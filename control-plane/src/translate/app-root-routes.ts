import type { V1Ingress } from '@kubernetes/client-node';
import { NGINX } from './annotations/annotation.js';
import type { ValidAnnotations } from './valid-annotations.js';
import type { RouteDraft } from './route-draft.js';

/**
 * app-root redirects a host's `/`, whatever paths the Ingress declares: ingress-nginx gives each
 * host a root location carrying the Ingress's annotations, so the rewrite example with only
 * `/gateway(/|$)(.*)` still sends `/` to `/gateway/`. For each host of an Ingress with app-root
 * where no Ingress serves `/` (exact or prefix), this adds an exact `/` draft with the Ingress's
 * backend; the app-root annotation then puts the redirect on it, and the other annotations apply
 * as on any path of the Ingress. A host where another Ingress serves `/` keeps that location
 * (and its annotations), as ingress-nginx does.
 */
export function translateAppRootRoutes(
  ingresses: readonly V1Ingress[],
  annotationsOf: (ingress: V1Ingress) => ValidAnnotations,
  draftsOf: ReadonlyMap<V1Ingress, RouteDraft[]>,
  allDrafts: readonly RouteDraft[],
): Map<V1Ingress, RouteDraft[]> {
  const servesRoot = new Set(allDrafts.filter(coversRoot).map((d) => d.host ?? '*'));
  const added = new Map<V1Ingress, RouteDraft[]>();
  for (const ingress of ingresses) {
    if (!annotationsOf(ingress).has(`${NGINX}app-root`)) continue;
    const firstByHost = new Map<string, RouteDraft>();
    for (const d of draftsOf.get(ingress) ?? []) if (!firstByHost.has(d.host ?? '*')) firstByHost.set(d.host ?? '*', d);
    for (const [hostKey, first] of firstByHost) {
      if (servesRoot.has(hostKey)) continue;
      servesRoot.add(hostKey);
      const root: RouteDraft = {
        ...first,
        name: `ingress/${ingress.metadata?.namespace ?? 'default'}/${ingress.metadata?.name}/app-root/${hostKey}`,
        path: '/',
        pathType: 'Exact',
        conflictKey: `${hostKey} exact /`,
        match: { ...first.match, paths: [{ type: 'exact', value: '/' }] },
        upstream: { draft: first.upstream.draft, overrides: {} },
        extraUpstreams: [],
        plugins: {},
      };
      delete root.priority;
      delete root.timeout;
      added.set(ingress, [...(added.get(ingress) ?? []), root]);
    }
  }
  return added;
}

export function coversRoot(draft: Pick<RouteDraft, 'match'>): boolean {
  return draft.match.paths?.some((p) => (p.type === 'prefix' || p.type === 'exact') && p.value === '/') ?? true;
}
