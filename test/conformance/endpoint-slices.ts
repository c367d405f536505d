// What the EndpointSlice controller would publish for a Service and the emulated pods (pure).
import type { KubeObject } from '../helpers/kube-api-server.js';

export interface EmulatedPod {
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
  /** Named container ports, to resolve a Service's named targetPort. */
  namedPorts: Record<string, number>;
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export const serviceNameLabel = 'kubernetes.io/service-name';
/** Marks the slices this runner manages, so hand-written ones (HTTPRouteServiceTypes) are left alone. */
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedBy = 'sluice-conformance-runner';

export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The slice name the controller would use for `service` (one slice per Service here). */
export const sliceNameOf = (service: string) => `${service}-conformance`;

/**
 * The IPv4 EndpointSlice of a Service with a selector, or undefined for a selector-less Service
 * (its slices are written by hand, as on a cluster).
 */
export function endpointSliceFor(service: KubeObject, pods: readonly EmulatedPod[]): KubeObject | undefined {
  const spec = service.spec as { selector?: Record<string, string>; ports?: ServicePort[] } | undefined;
  if (!spec?.selector || Object.keys(spec.selector).length === 0) return undefined;
  const namespace = service.metadata.namespace ?? 'default';
  const selected = pods.filter((p) => p.namespace === namespace && selectorMatches(spec.selector, p.labels));
  const ports = (spec.ports ?? []).map((p) => {
    const target = p.targetPort ?? p.port;
    const resolved = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : selected[0]?.namedPorts[target];
    return {
      name: p.name ?? '',
      port: resolved ?? p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    };
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceNameOf(service.metadata.name),
      namespace,
      labels: { [serviceNameLabel]: service.metadata.name, [managedByLabel]: managedBy },
    },
    addressType: 'IPv4',
    ports,
    endpoints: selected.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name },
    })),
  };
}

/** Endpoints of the given pods, as the suite's HTTPRouteServiceTypes patch writes them into a hand-made slice. */
export function endpointsOfPods(pods: readonly EmulatedPod[]) {
  return pods.map((p) => ({
    addresses: [p.ip],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name },
  }));
}
