import { isIP } from 'node:net';
import { type KubeConfig, NetworkingV1Api, type V1Ingress, type V1IngressLoadBalancerIngress, type V1Service } from '@kubernetes/client-node';
import type { Resources, TranslateResult } from '../translate/types.js';
import { objectRef } from '../translate/object-ref.js';

export interface IngressStatusOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  /** --publish-status-address: comma-separated IPs or hostnames. */
  publishStatusAddress?: string;
  /** --publish-service "namespace/name": copy that Service's address. */
  publishService?: string;
  /** Told about each status written ("set" or "cleared"). */
  onWritten?: (ingress: string, addresses: V1IngressLoadBalancerIngress[]) => void;
  onError?: (err: Error, ingress: string) => void;
}

export interface IngressStatusWriter {
  /** Brings `status.loadBalancer.ingress` of every Ingress in `resources` in line with `result`. */
  update(result: TranslateResult, resources: Resources): Promise<void>;
}

/**
 * Writes our address into the status of the Ingresses we serve (only when it differs, so a
 * steady state costs no API calls), and clears it from Ingresses that carry our address but
 * are no longer ours (class changed, lost every path). Stateless: it compares against the
 * informers' snapshot, so a new leader picks up where the old one stopped.
 */
export function createIngressStatusWriter(options: IngressStatusOptions): IngressStatusWriter {
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(NetworkingV1Api);
  const { onWritten = () => {}, onError = () => {} } = options;

  return {
    async update(result, resources) {
      const ours = publishedAddresses(options, resources.services);
      if (ours.length === 0) return;
      const served = new Set(result.statuses.filter((s) => s.accepted).map((s) => s.object));
      for (const ingress of resources.ingresses) {
        const ref = objectRef('Ingress', ingress);
        const current = ingress.status?.loadBalancer?.ingress ?? [];
        let desired: V1IngressLoadBalancerIngress[];
        if (served.has(ref)) desired = ours;
        else if (current.length > 0 && sameAddresses(current, ours)) desired = [];
        else continue;
        if (sameAddresses(current, desired)) continue;
        try {
          await api.replaceNamespacedIngressStatus({
            name: ingress.metadata!.name!,
            namespace: ingress.metadata!.namespace ?? 'default',
            // Only what the status subresource reads: the apiserver keeps spec and metadata as stored.
            body: {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'Ingress',
              metadata: { name: ingress.metadata!.name!, namespace: ingress.metadata!.namespace, resourceVersion: ingress.metadata?.resourceVersion },
              status: { loadBalancer: { ingress: desired } },
            } as V1Ingress,
          });
          onWritten(ref, desired);
        } catch (err) {
          // A 409 means the Ingress changed; its next snapshot brings it here again.
          onError(err as Error, ref);
        }
      }
    },
  };
}

/** The addresses we publish: the flag's list, or the Service's load balancer, external IPs or cluster IP. */
export function publishedAddresses(
  options: Pick<IngressStatusOptions, 'publishStatusAddress' | 'publishService'>,
  services: readonly V1Service[],
): V1IngressLoadBalancerIngress[] {
  if (options.publishStatusAddress) {
    return options.publishStatusAddress
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((a) => (isIP(a) ? { ip: a } : { hostname: a }));
  }
  if (!options.publishService) return [];
  const [namespace, name] = options.publishService.includes('/') ? options.publishService.split('/', 2) : ['default', options.publishService];
  const service = services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  if (!service) return [];
  const balancer = (service.status?.loadBalancer?.ingress ?? [])
    .map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname! }))
    .filter((i) => i.ip || i.hostname);
  if (balancer.length > 0) return balancer;
  const external = service.spec?.externalIPs ?? [];
  if (external.length > 0) return external.map((ip) => ({ ip }));
  const clusterIp = service.spec?.clusterIP;
  return clusterIp && clusterIp !== 'None' ? [{ ip: clusterIp }] : [];
}

function sameAddresses(a: readonly V1IngressLoadBalancerIngress[], b: readonly V1IngressLoadBalancerIngress[]): boolean {
  const key = (l: readonly V1IngressLoadBalancerIngress[]) =>
    l
      .map((i) => `${i.ip ?? ''}|${i.hostname ?? ''}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}
