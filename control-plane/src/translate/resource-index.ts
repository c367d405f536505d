import type { V1Endpoints, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Resources } from './types.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Lookups by namespace/name over one snapshot, built once: a translation of 5,000 Ingresses is then linear, not quadratic. */
export interface ResourceIndex {
  service(namespace: string, name: string): V1Service | undefined;
  /** EndpointSlices labelled for a Service. */
  slicesOf(namespace: string, service: string): readonly V1EndpointSlice[];
  endpoints(namespace: string, name: string): V1Endpoints | undefined;
}

const indexes = new WeakMap<Resources, ResourceIndex>();

/** The index of a snapshot, cached for as long as the snapshot lives (the translator stays pure). */
export function resourceIndex(resources: Resources): ResourceIndex {
  const cached = indexes.get(resources);
  if (cached) return cached;
  const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;
  const services = new Map<string, V1Service>();
  for (const s of resources.services)
    if (!services.has(key(s.metadata?.namespace, s.metadata?.name))) services.set(key(s.metadata?.namespace, s.metadata?.name), s);
  const slices = new Map<string, V1EndpointSlice[]>();
  for (const s of resources.endpointSlices) {
    const k = key(s.metadata?.namespace, s.metadata?.labels?.[SERVICE_NAME_LABEL]);
    const list = slices.get(k);
    if (list) list.push(s);
    else slices.set(k, [s]);
  }
  const endpoints = new Map<string, V1Endpoints>();
  for (const e of resources.endpoints)
    if (!endpoints.has(key(e.metadata?.namespace, e.metadata?.name))) endpoints.set(key(e.metadata?.namespace, e.metadata?.name), e);
  const index: ResourceIndex = {
    service: (ns, name) => services.get(key(ns, name)),
    slicesOf: (ns, service) => slices.get(key(ns, service)) ?? [],
    endpoints: (ns, name) => endpoints.get(key(ns, name)),
  };
  indexes.set(resources, index);
  return index;
}
