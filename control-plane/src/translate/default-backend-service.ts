import type { RouteDraft } from './route-draft.js';
import { resolveServiceUpstream } from './service-upstream.js';
import type { Resources } from './types.js';

/**
 * `--default-backend-service ns/name[:port]`: a catch-all route below every Ingress route
 * (priority -2, under an Ingress's own defaultBackend at -1). Without a port, the Service's
 * first port. Returns undefined (with a warning) when the flag is malformed.
 */
export function translateDefaultBackendService(flag: string, resources: Resources, warn: (message: string) => void): RouteDraft | undefined {
  const m = /^([a-z0-9.-]+)\/([a-z0-9.-]+)(?::([A-Za-z0-9-]+))?$/.exec(flag);
  if (!m) {
    warn(`--default-backend-service ${JSON.stringify(flag)} is not "namespace/name[:port]"; ignored`);
    return undefined;
  }
  const [, namespace, name, port] = m as unknown as [string, string, string, string | undefined];
  const service = resources.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  const firstPort = service?.spec?.ports?.[0];
  const portRef =
    port === undefined
      ? firstPort?.name
        ? { name: firstPort.name }
        : { number: firstPort?.port ?? 80 }
      : /^\d+$/.test(port)
        ? { number: Number(port) }
        : { name: port };
  const upstream = resolveServiceUpstream(resources, namespace, { name, port: portRef }, warn);
  const owner = { metadata: { namespace, name, ...(service?.metadata?.uid ? { uid: service.metadata.uid } : {}) } };
  return {
    name: `default-backend-service/${namespace}/${name}`,
    ingress: owner,
    ownerKind: 'Service',
    path: '/',
    pathType: 'Prefix',
    conflictKey: 'default-backend-service',
    match: { paths: [{ type: 'prefix', value: '/' }] },
    upstream: { draft: upstream, overrides: {} },
    extraUpstreams: [],
    plugins: {},
    priority: -2,
    tls: false,
  };
}
