import type { V1HTTPIngressPath, V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import type { PathMatch } from '@sluice/model';
import { NGINX } from './annotations/index.js';
import { namespaceOf } from './object-ref.js';
import type { ValidAnnotations } from './read-annotations.js';
import type { RouteDraft } from './route-draft.js';
import { resolveServiceUpstream } from './service-upstream.js';
import type { Resources } from './types.js';

/**
 * One route draft per rule path of an Ingress, plus one for `spec.defaultBackend`
 * (Kubernetes Ingress v1: pathType Exact, Prefix, ImplementationSpecific; hosts exact or
 * `*.label` wildcards matching one label).
 */
export function translateIngressRoutes(ingress: V1Ingress, annotations: ValidAnnotations, resources: Resources, warn: (message: string) => void): RouteDraft[] {
  const namespace = namespaceOf(ingress);
  const base = `ingress/${namespace}/${ingress.metadata?.name}`;
  // rewrite-target implies use-regex in ingress-nginx.
  const useRegex = annotations.get(`${NGINX}use-regex`) === 'true' || annotations.has(`${NGINX}rewrite-target`);
  const tlsHosts = new Set((ingress.spec?.tls ?? []).flatMap((t) => t.hosts ?? []).map((h) => h.toLowerCase()));
  const drafts: RouteDraft[] = [];

  const draft = (name: string, host: string | undefined, path: PathMatch, rawPath: string, pathType: string, backend: V1IngressBackend): void => {
    if (!backend.service) {
      const r = backend.resource;
      const what = r ? ` (${r.kind} ${r.apiGroup ?? 'core'}/${r.name})` : '';
      warn(
        `${name}: resource backends${what} are not supported: Sluice proxies to Services; put what serves the path behind a Service (an ExternalName Service for a bucket outside the cluster) and name it in backend.service; path ignored`,
      );
      return;
    }
    drafts.push({
      name,
      ingress,
      ...(host ? { host } : {}),
      path: rawPath,
      pathType,
      conflictKey: `${host ?? '*'} ${path.type} ${path.value}`,
      match: { ...(host ? { hosts: [host], ...(host.startsWith('*.') ? { hostWildcard: 'single-label' as const } : {}) } : {}), paths: [path] },
      upstream: { draft: resolveServiceUpstream(resources, namespace, backend.service, (m) => warn(`${name}: ${m}`)), overrides: {} },
      extraUpstreams: [],
      plugins: {},
      tls: host !== undefined && tlsHosts.has(host),
    });
  };

  (ingress.spec?.rules ?? []).forEach((rule, i) => {
    const host = rule.host?.toLowerCase();
    (rule.http?.paths ?? []).forEach((p, j) => {
      const name = `${base}/rule/${i}/path/${j}`;
      const path = pathMatchOf(p, useRegex);
      if (typeof path === 'string') return warn(`${name}: ${path}; path ignored`);
      draft(name, host, path, p.path ?? '/', p.pathType ?? 'ImplementationSpecific', p.backend);
    });
  });
  const defaultBackend = ingress.spec?.defaultBackend;
  if (defaultBackend) {
    draft(`${base}/default-backend`, undefined, { type: 'prefix', value: '/' }, '/', 'Prefix', defaultBackend);
    // Rule paths of every Ingress beat a default backend on the same `/` (Kubernetes: it serves what no rule matches).
    drafts[drafts.length - 1]!.priority = -1;
  }
  return drafts;
}

/**
 * Kubernetes path semantics onto the route match: Exact is exact; Prefix is segment-wise, and
 * a trailing `/` is ignored (`/foo/` matches `/foo`, as the Kubernetes table says), which is
 * exactly our segment-aware prefix; ImplementationSpecific is Prefix unless use-regex is on,
 * then a regex anchored at the start as nginx's `location ~*`. Returns an error message.
 */
export function pathMatchOf(p: V1HTTPIngressPath, useRegex: boolean): PathMatch | string {
  const raw = p.path ?? '/';
  const pathType = p.pathType ?? 'ImplementationSpecific';
  if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(pathType))
    return `pathType ${JSON.stringify(pathType)} is not Exact, Prefix or ImplementationSpecific`;
  if (!raw.startsWith('/')) return `path ${JSON.stringify(raw)} must start with /`;
  if (pathType === 'Exact') return { type: 'exact', value: raw };
  if (useRegex) {
    try {
      new RegExp(raw);
    } catch {
      return `path ${JSON.stringify(raw)} is not a valid regular expression (use-regex)`;
    }
    return { type: 'regex', value: `(?:${raw}).*` };
  }
  if (pathType === 'Prefix' && /[^A-Za-z0-9/._~%!$&'()*+,;=:@-]/.test(raw)) return `path ${JSON.stringify(raw)} has characters a Prefix path may not contain`;
  const trimmed = raw.replace(/\/+$/, '');
  return { type: 'prefix', value: trimmed === '' ? '/' : trimmed };
}
