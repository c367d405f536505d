import type { V1IngressServiceBackend, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { InlineUpstream, UpstreamNode } from '@sluice/model';
import { resourceIndex } from './resource-index.js';
import type { Resources } from './types.js';

/** An upstream being built for one Service port, before annotations add their overrides. */
export interface UpstreamDraft {
  /** Readable identity: "service/<ns>/<name>/port/<port>"; the id is its hash (plus overrides). */
  key: string;
  owner: { kind: 'Service' | 'Ingress'; namespace: string; name: string; uid?: string };
  nodes: UpstreamNode[];
  /** Balancing the Service itself asks for (sessionAffinity: ClientIP); an Ingress's own balancing annotations replace it. */
  balancing?: Pick<InlineUpstream, 'type' | 'hashOn'>;
}

/**
 * The upstream for one Ingress backend: the Service port by number or name, its nodes from
 * EndpointSlices (ready and not terminating), else legacy Endpoints (selector-less Services),
 * or the externalName host for ExternalName Services. A missing Service or port is a warning
 * and an upstream without nodes, so the route answers 503 instead of vanishing.
 */
export function resolveServiceUpstream(
  resources: Resources,
  namespace: string,
  backend: V1IngressServiceBackend,
  warn: (message: string) => void,
): UpstreamDraft {
  const portLabel = backend.port?.name ?? String(backend.port?.number ?? '');
  const key = `service/${namespace}/${backend.name}/port/${portLabel}`;
  const service = resourceIndex(resources).service(namespace, backend.name);
  const owner = { kind: 'Service' as const, namespace, name: backend.name, ...(service?.metadata?.uid ? { uid: service.metadata.uid } : {}) };
  if (!service) {
    warn(`Service ${namespace}/${backend.name} not found; the backend answers 503`);
    return { key, owner, nodes: [] };
  }
  const port = (service.spec?.ports ?? []).find((p) => (backend.port?.name !== undefined ? p.name === backend.port.name : p.port === backend.port?.number));
  if (service.spec?.type === 'ExternalName') return { key, owner, nodes: externalNameNodes(service, port, backend, warn) };
  if (!port) {
    warn(`Service ${namespace}/${backend.name} has no port ${portLabel}; the backend answers 503`);
    return { key, owner, nodes: [] };
  }
  return { key, owner, nodes: sortNodes(endpointNodes(resources, service, port)), ...balancingOf(service) };
}

/**
 * `sessionAffinity: ClientIP` is kube-proxy's promise that a client stays on one Pod. Here it is
 * consistent hashing on the client address: every worker and data plane picks the same node for
 * a client, and a change of endpoints moves only the clients of the nodes that changed.
 * `sessionAffinityConfig.clientIP.timeoutSeconds` (default 3 hours) only bounds how long
 * kube-proxy remembers an idle client; the hash never forgets, so the promise holds for longer.
 */
function balancingOf(service: V1Service): Pick<UpstreamDraft, 'balancing'> {
  return service.spec?.sessionAffinity === 'ClientIP' ? { balancing: { type: 'chash', hashOn: 'remote_addr' } } : {};
}

function externalNameNodes(
  service: V1Service,
  port: V1ServicePort | undefined,
  backend: V1IngressServiceBackend,
  warn: (message: string) => void,
): UpstreamNode[] {
  const host = service.spec?.externalName;
  // An ExternalName Service may list no ports: a backend port number is then used as is.
  const portNumber = port ? targetPortNumber(port) : backend.port?.number;
  if (!host || !portNumber) {
    warn(
      `ExternalName Service ${service.metadata?.namespace}/${service.metadata?.name} has no host or no port ${backend.port?.name ?? backend.port?.number}; the backend answers 503`,
    );
    return [];
  }
  return [{ host, port: portNumber, weight: 1 }];
}

function targetPortNumber(port: V1ServicePort): number {
  return typeof port.targetPort === 'number' ? port.targetPort : port.port;
}

function endpointNodes(resources: Resources, service: V1Service, port: V1ServicePort): UpstreamNode[] {
  const namespace = service.metadata?.namespace;
  const name = service.metadata?.name;
  const slices = resourceIndex(resources).slicesOf(namespace ?? '', name ?? '');
  const portName = port.name ?? '';
  if (slices.length > 0) {
    const nodes: UpstreamNode[] = [];
    for (const slice of slices) {
      const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
      if (!slicePort?.port) continue;
      for (const endpoint of slice.endpoints ?? []) {
        const c = endpoint.conditions ?? {};
        // Kubernetes: a nil `ready` means ready; terminating endpoints stop getting new requests.
        if (c.ready === false || c.terminating === true) continue;
        const host = endpoint.addresses[0];
        if (host) nodes.push({ host, port: slicePort.port, weight: 1 });
      }
    }
    return nodes;
  }
  // No EndpointSlices: a selector-less Service with hand-written legacy Endpoints.
  const endpoints = resourceIndex(resources).endpoints(namespace ?? '', name ?? '');
  return (endpoints?.subsets ?? []).flatMap((subset) => {
    const subsetPort = (subset.ports ?? []).find((p) => (p.name ?? '') === portName) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    if (!subsetPort) return [];
    return (subset.addresses ?? []).map((a) => ({ host: a.ip, port: subsetPort.port, weight: 1 }));
  });
}

function sortNodes(nodes: UpstreamNode[]): UpstreamNode[] {
  const seen = new Set<string>();
  return nodes
    .filter((n) => {
      const k = `${n.host}:${n.port}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}
