import type { Resources } from '../translate/types.js';

type KubeObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** kind → the field of `Resources` that holds it. Kinds not listed are ignored. */
const FIELD_BY_KIND: Record<string, keyof Resources> = {
  Ingress: 'ingresses',
  IngressClass: 'ingressClasses',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  RoutePolicy: 'routePolicies',
  Consumer: 'consumers',
};

/** Kinds without a namespace; every other kind lands in `default` when the manifest names none, as kubectl does. */
const CLUSTER_SCOPED = new Set(['IngressClass']);

export function emptyResources(): Resources {
  return { ingresses: [], ingressClasses: [], services: [], endpointSlices: [], endpoints: [], secrets: [], configMaps: [], routePolicies: [], consumers: [] };
}

/** Sorts loose Kubernetes objects (from manifests) into a `Resources` snapshot; later duplicates replace earlier ones. */
export function resourcesFromObjects(objects: readonly unknown[]): Resources {
  const byField = new Map<keyof Resources, Map<string, unknown>>();
  for (const raw of objects) {
    if (raw === null || typeof raw !== 'object') continue;
    const obj = raw as KubeObject;
    const field = obj.kind ? FIELD_BY_KIND[obj.kind] : undefined;
    if (!field || !obj.metadata?.name) continue;
    const scoped = CLUSTER_SCOPED.has(obj.kind!)
      ? obj
      : { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? 'default' } };
    const key = `${scoped.metadata!.namespace ?? ''}/${scoped.metadata!.name}`;
    if (!byField.has(field)) byField.set(field, new Map());
    byField.get(field)!.set(key, scoped);
  }
  const out = emptyResources() as Record<keyof Resources, unknown[]>;
  for (const [field, items] of byField) out[field] = [...items.values()];
  return out as unknown as Resources;
}

/** The field of `Resources` a kind belongs to, if we read it at all. */
export function resourceField(kind: string | undefined): keyof Resources | undefined {
  return kind ? FIELD_BY_KIND[kind] : undefined;
}
