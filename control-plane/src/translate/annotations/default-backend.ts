import type { V1Ingress } from '@kubernetes/client-node';
import { namespaceOf } from '../object-ref.js';
import { resourceIndex } from '../resource-index.js';
import type { UpstreamRef } from '../route-draft.js';
import { resolveServiceUpstream } from '../service-upstream.js';
import type { Resources } from '../types.js';
import { NGINX, defineAnnotation } from './annotation.js';

const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The annotation's Service (same namespace, its first port) as an upstream; undefined with a warning when it is missing. */
export function defaultBackendUpstream(name: string, ingress: V1Ingress, resources: Resources, warn: (m: string) => void): UpstreamRef | undefined {
  const namespace = namespaceOf(ingress);
  const service = resourceIndex(resources).service(namespace, name);
  const first = service?.spec?.ports?.[0];
  if (!service || !first) {
    warn(`annotation ${NGINX}default-backend ignored: Service ${namespace}/${name} ${service ? 'has no ports' : 'not found'}`);
    return undefined;
  }
  const port = first.name ? { name: first.name } : { number: first.port };
  return { draft: resolveServiceUpstream(resources, namespace, { name, port }, warn), overrides: {} };
}

export const defaultBackend = defineAnnotation({
  key: `${NGINX}default-backend`,
  validate: (v) => (SERVICE_NAME.test(v) && v.length <= 63 ? undefined : `must be the name of a Service in the Ingress's namespace, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: "A Service of the Ingress's namespace (its first port). Alone, it serves the paths whose own Service has no ready endpoints; with custom-http-errors it answers those statuses (`error-pages` plugin).",
  apply: ({ value, route, ingress, resources, warn }) => {
    // Only when the route's own Service has nothing to send to (ingress-nginx behaviour).
    if (route.upstream.draft.nodes.length > 0) return;
    const fallback = defaultBackendUpstream(value, ingress, resources, warn);
    if (fallback) route.upstream = fallback;
  },
});
