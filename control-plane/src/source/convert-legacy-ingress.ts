/**
 * Ingress API versions Kubernetes removed in 1.22 (`extensions/v1beta1`,
 * `networking.k8s.io/v1beta1`) are still in tutorials. A real API server refuses them; Sluice
 * converts them to `networking.k8s.io/v1` as the API server's own conversion did, and says so:
 * `backend.serviceName/servicePort` → `backend.service.name/port.{number|name}`,
 * `spec.backend` → `spec.defaultBackend`, a path without `pathType` → `ImplementationSpecific`
 * (the v1beta1 default). IngressClass v1beta1 only changes its apiVersion.
 */
export const REMOVED_INGRESS_VERSIONS = ['extensions/v1beta1', 'networking.k8s.io/v1beta1'];

type Obj = Record<string, any>;

/** The object in v1 and what to tell the user, or undefined when it needs no conversion. */
export function convertLegacyIngress(obj: Obj): { object: Obj; warning: string } | undefined {
  if (!REMOVED_INGRESS_VERSIONS.includes(obj.apiVersion) || (obj.kind !== 'Ingress' && obj.kind !== 'IngressClass')) return undefined;
  const warning =
    `${obj.apiVersion} ${obj.kind} was removed in Kubernetes 1.22 and a cluster refuses it; converted to networking.k8s.io/v1` +
    (obj.kind === 'Ingress' ? ' (write it as v1: backend.service.name and backend.service.port.number, spec.defaultBackend, a pathType on every path)' : '');
  if (obj.kind === 'IngressClass') return { object: { ...obj, apiVersion: 'networking.k8s.io/v1' }, warning };
  const { backend, ...spec } = (obj.spec ?? {}) as Obj;
  const converted: Obj = {
    ...spec,
    ...(backend ? { defaultBackend: convertBackend(backend) } : {}),
    ...(Array.isArray(spec.rules)
      ? {
          rules: spec.rules.map((rule: Obj) =>
            rule?.http?.paths
              ? {
                  ...rule,
                  http: {
                    ...rule.http,
                    paths: (rule.http.paths as Obj[]).map((p) => ({
                      path: p.path ?? '/',
                      pathType: p.pathType ?? 'ImplementationSpecific',
                      ...(p.backend ? { backend: convertBackend(p.backend) } : {}),
                    })),
                  },
                }
              : rule,
          ),
        }
      : {}),
  };
  return { object: { ...obj, apiVersion: 'networking.k8s.io/v1', spec: converted }, warning };
}

function convertBackend(backend: Obj): Obj {
  if (backend.serviceName === undefined) return backend;
  const { serviceName, servicePort, ...rest } = backend;
  const port = typeof servicePort === 'number' || /^\d+$/.test(String(servicePort)) ? { number: Number(servicePort) } : { name: String(servicePort) };
  return { ...rest, service: { name: serviceName, port } };
}
