import type { V1HTTPIngressPath, V1Ingress } from '@kubernetes/client-node';
import { kindByCollection, validateDocument, type StreamRoute } from '@sluice/model';
import { NGINX } from './annotations/index.js';
import { namespaceOf, objectRef, ownerOf } from './object-ref.js';
import type { ValidAnnotations } from './read-annotations.js';
import { resolveServiceUpstream } from './service-upstream.js';
import { shortHash } from './short-hash.js';
import type { Resources, TranslatedDocument } from './types.js';

/** The data plane's default --https-port (DESIGN.md), when TranslateOptions.httpsPort is not given. */
export const DEFAULT_HTTPS_PORT = 9443;

/**
 * ssl-passthrough: each rule host of such an Ingress becomes a `tls` stream route on the
 * HTTPS port with the host as SNI, to the backend of the rule's `/` path (else its first
 * path). The data plane pipes those connections without terminating TLS. Rules without a
 * host cannot be routed by SNI and are skipped with a warning.
 */
export function translateSslPassthrough(
  ingresses: readonly V1Ingress[],
  annotationsOf: (ingress: V1Ingress) => ValidAnnotations,
  resources: Resources,
  httpsPort: number,
  warn: (object: string, message: string) => void,
): TranslatedDocument[] {
  const documents: TranslatedDocument[] = [];
  for (const ingress of ingresses) {
    if (annotationsOf(ingress).get(`${NGINX}ssl-passthrough`) !== 'true') continue;
    const object = objectRef('Ingress', ingress);
    const namespace = namespaceOf(ingress);
    (ingress.spec?.rules ?? []).forEach((rule, i) => {
      const host = rule.host?.toLowerCase();
      if (!host) return warn(object, `annotation ${NGINX}ssl-passthrough: rule ${i} has no host to route by SNI; it is not passed through`);
      const path = rootPathOf(rule.http?.paths ?? []);
      if (!path?.backend.service) return warn(object, `annotation ${NGINX}ssl-passthrough: rule ${i} has no Service backend; it is not passed through`);
      const upstream = resolveServiceUpstream(resources, namespace, path.backend.service, (m) => warn(object, `rule ${i}: ${m}`));
      const name = `ingress/${namespace}/${ingress.metadata?.name}/rule/${i}/ssl-passthrough`;
      const doc: StreamRoute = {
        id: shortHash(name),
        name,
        owner: ownerOf('Ingress', ingress),
        protocol: 'tls',
        listenPort: httpsPort,
        sni: host,
        upstream: { nodes: upstream.nodes, ...upstream.balancing },
      };
      const issues = validateDocument(kindByCollection('stream-routes')!, doc);
      if (issues.length) return warn(object, `${name} left out: ${issues.map((x) => `${x.path} ${x.message}`).join('; ')}`);
      documents.push({ collection: 'stream-routes', doc: doc as TranslatedDocument['doc'] });
    });
  }
  return documents;
}

function rootPathOf(paths: readonly V1HTTPIngressPath[]): V1HTTPIngressPath | undefined {
  return paths.find((p) => (p.path ?? '/') === '/') ?? paths[0];
}
