import { NGINX } from './annotations/index.js';
import { objectRef } from './object-ref.js';
import type { ValidAnnotations } from './read-annotations.js';
import { upstreamIdOf, type RouteDraft } from './route-draft.js';

interface Rule {
  match?: { headers?: object[]; cookies?: object[] };
  weightedUpstreams: { upstreamId?: string; weight: number }[];
}

/**
 * A canary Ingress becomes `traffic-split` rules on the main Ingress's route for the same host
 * and path, in ingress-nginx's order: header, then cookie, then weight. A weighted entry with
 * no upstreamId is the main route's own backend. Returns the canary Ingresses that found no
 * main route (for their status).
 */
export function mergeCanaries(
  mains: RouteDraft[],
  canaries: RouteDraft[],
  annotationsOf: (draft: RouteDraft) => ValidAnnotations,
  warn: (object: string, message: string) => void,
): Set<RouteDraft> {
  const byKey = new Map(mains.map((m) => [m.conflictKey, m]));
  const orphans = new Set<RouteDraft>();
  for (const canary of canaries) {
    const main = byKey.get(canary.conflictKey);
    if (!main) {
      orphans.add(canary);
      warn(objectRef('Ingress', canary.ingress), `${canary.name}: canary has no main Ingress for host ${canary.host ?? '*'} path ${canary.path}; ignored`);
      continue;
    }
    const rules = canaryRules(annotationsOf(canary), upstreamIdOf(canary.upstream));
    if (rules.length === 0) continue;
    main.extraUpstreams.push(canary.upstream);
    const existing = (main.plugins['traffic-split'] as { rules?: Rule[] } | undefined)?.rules ?? [];
    main.plugins['traffic-split'] = { rules: [...existing, ...rules] };
  }
  return orphans;
}

export function canaryRules(a: ValidAnnotations, canaryId: string): Rule[] {
  // Fresh arrays per rule: documents must not share objects (YAML aliases, later edits).
  const toCanary = () => [{ upstreamId: canaryId, weight: 1 }];
  const toMain = () => [{ weight: 1 }];
  const rules: Rule[] = [];
  const header = a.get(`${NGINX}canary-by-header`);
  if (header) {
    const value = a.get(`${NGINX}canary-by-header-value`);
    const pattern = a.get(`${NGINX}canary-by-header-pattern`);
    if (value !== undefined) rules.push({ match: { headers: [{ name: header, type: 'exact', value }] }, weightedUpstreams: toCanary() });
    else if (pattern !== undefined) rules.push({ match: { headers: [{ name: header, type: 'regex', value: pattern }] }, weightedUpstreams: toCanary() });
    else {
      rules.push({ match: { headers: [{ name: header, type: 'exact', value: 'never' }] }, weightedUpstreams: toMain() });
      rules.push({ match: { headers: [{ name: header, type: 'exact', value: 'always' }] }, weightedUpstreams: toCanary() });
    }
  }
  const cookie = a.get(`${NGINX}canary-by-cookie`);
  if (cookie) {
    rules.push({ match: { cookies: [{ name: cookie, type: 'exact', value: 'never' }] }, weightedUpstreams: toMain() });
    rules.push({ match: { cookies: [{ name: cookie, type: 'exact', value: 'always' }] }, weightedUpstreams: toCanary() });
  }
  const weight = Number(a.get(`${NGINX}canary-weight`) ?? 0);
  const total = Number(a.get(`${NGINX}canary-weight-total`) ?? 100);
  if (weight > 0) {
    const canaryShare = Math.min(weight, total);
    rules.push({
      weightedUpstreams: canaryShare >= total ? toCanary() : [{ upstreamId: canaryId, weight: canaryShare }, { weight: total - canaryShare }],
    });
  }
  return rules;
}
