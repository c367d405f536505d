import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { GatewayApiObject, GatewayObjectStatus } from '../gateway-api/types.js';
import type { ClusterSnapshot } from '../source/cluster-snapshot.js';
import { hasEntriesOf, hasSharedStatus, kubeTime, mergeGatewayApiStatus, sameStatus } from './gateway-api-status-merge.js';

export interface GatewayApiStatusOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  /** --controller-name: whose `parents`/`ancestors` entries are ours, which GatewayClasses are ours. */
  controllerName: string;
  /** Checked before every write: a replica that lost the lease mid-update stops at once. */
  isLeader?: () => boolean;
  /** Attempts per object when the API server answers 409 (the object changed since it was read). */
  maxAttempts?: number;
  onWritten?: (object: string, status: Record<string, unknown>) => void;
  onError?: (err: Error, object: string) => void;
  now?: () => Date;
}

export interface GatewayApiStatusWriter {
  /** Brings the status of every Gateway API object in `snapshot` in line with the translator's `statuses`; resolves to the number written. */
  update(statuses: readonly GatewayObjectStatus[], snapshot: ClusterSnapshot): Promise<number>;
}

/** kind → its snapshot field and plural. */
const KINDS: Record<string, { field: keyof ClusterSnapshot; plural: string; clusterScoped?: boolean }> = {
  GatewayClass: { field: 'gatewayClasses', plural: 'gatewayclasses', clusterScoped: true },
  Gateway: { field: 'gateways', plural: 'gateways' },
  ListenerSet: { field: 'listenerSets', plural: 'listenersets' },
  HTTPRoute: { field: 'httpRoutes', plural: 'httproutes' },
  GRPCRoute: { field: 'grpcRoutes', plural: 'grpcroutes' },
  TLSRoute: { field: 'tlsRoutes', plural: 'tlsroutes' },
  TCPRoute: { field: 'tcpRoutes', plural: 'tcproutes' },
  UDPRoute: { field: 'udpRoutes', plural: 'udproutes' },
  BackendTLSPolicy: { field: 'backendTlsPolicies', plural: 'backendtlspolicies' },
};

type Target = { kind: string; object: GatewayApiObject & { status?: Record<string, unknown> }; desired: Record<string, unknown> };

/**
 * Writes the Gateway API statuses the translator computed into each object's `/status`
 * subresource: only when something changed (a steady state costs no API calls), with
 * `lastTransitionTime` kept while a condition's status and reason stay, leaving other
 * controllers' route parents alone, and dropping our parent entries from routes no longer
 * attached to our Gateways. A 409 re-reads the object and tries again. Stateless: it compares
 * against the snapshot, so a new leader picks up at once.
 */
export function createGatewayApiStatusWriter(options: GatewayApiStatusOptions): GatewayApiStatusWriter {
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(CustomObjectsApi);
  const { controllerName, isLeader = () => true, maxAttempts = 3, onWritten = () => {}, onError = () => {}, now = () => new Date() } = options;
  /**
   * Our last write per object: the resourceVersion it replaced, and what it made. A snapshot taken
   * before our write's watch event arrived still shows the replaced version; comparing against
   * what we wrote instead saves a write that could only end in a 409.
   */
  const written = new Map<string, { over: string; resourceVersion?: string; status: Record<string, unknown> }>();

  const targetsOf = (statuses: readonly GatewayObjectStatus[], snapshot: ClusterSnapshot): Target[] => {
    const byRef = new Map<string, Target>();
    for (const [kind, { field }] of Object.entries(KINDS)) {
      for (const object of (snapshot[field] ?? []) as Target['object'][]) {
        // Ours once attached, not any more: the next merge drops our entries.
        if (hasSharedStatus(kind) && hasEntriesOf(kind, object.status, controllerName)) byRef.set(refOf(kind, object), { kind, object, desired: {} });
      }
    }
    for (const s of statuses) {
      const spec = KINDS[s.kind];
      if (!spec) continue;
      const object = ((snapshot[spec.field] ?? []) as Target['object'][]).find(
        (o) => o.metadata?.name === s.name && (spec.clusterScoped || (o.metadata?.namespace ?? 'default') === s.namespace),
      );
      // GatewayClasses of other controllers are never touched, whatever the translator says.
      if (!object || (s.kind === 'GatewayClass' && object.spec?.controllerName !== controllerName)) continue;
      byRef.set(refOf(s.kind, object), { kind: s.kind, object, desired: s.status });
    }
    return [...byRef.values()];
  };

  const write = async (target: Target, ref: string): Promise<boolean> => {
    const spec = KINDS[target.kind]!;
    const [group, version] = (target.object.apiVersion ?? 'gateway.networking.k8s.io/v1').split('/') as [string, string];
    const name = target.object.metadata!.name!;
    const namespace = target.object.metadata?.namespace ?? 'default';
    let object = target.object;
    const mine = written.get(ref);
    if (mine && mine.over === resourceVersionOf(object))
      object = { ...object, status: mine.status, metadata: { ...object.metadata, resourceVersion: mine.resourceVersion } as GatewayApiObject['metadata'] };
    else written.delete(ref);
    for (let attempt = 1; ; attempt++) {
      const status = mergeGatewayApiStatus(target.kind, object.status, target.desired, controllerName, kubeTime(now()));
      if (sameStatus(object.status, status) || !isLeader()) return false;
      const body = {
        apiVersion: `${group}/${version}`,
        kind: target.kind,
        // Only what the status subresource reads: the API server keeps spec and metadata as stored.
        metadata: { name, ...(spec.clusterScoped ? {} : { namespace }), resourceVersion: resourceVersionOf(object) },
        status,
      };
      try {
        const stored = (
          spec.clusterScoped
            ? await api.replaceClusterCustomObjectStatus({ group, version, plural: spec.plural, name, body })
            : await api.replaceNamespacedCustomObjectStatus({ group, version, namespace, plural: spec.plural, name, body })
        ) as GatewayApiObject;
        const over = resourceVersionOf(object);
        if (over) written.set(ref, { over, resourceVersion: resourceVersionOf(stored), status });
        onWritten(ref, status);
        return true;
      } catch (err) {
        if ((err as { code?: number }).code !== 409 || attempt >= maxAttempts) throw err;
        // Someone else wrote (another controller's parent entry, or a spec change): read it again.
        const fresh = (
          spec.clusterScoped
            ? await api.getClusterCustomObject({ group, version, plural: spec.plural, name })
            : await api.getNamespacedCustomObject({ group, version, namespace, plural: spec.plural, name })
        ) as Target['object'];
        // A new generation makes our conditions stale: the snapshot that carries it brings the object here again.
        if (fresh.metadata?.generation !== target.object.metadata?.generation) return false;
        object = fresh;
      }
    }
  };

  return {
    async update(statuses, snapshot) {
      let written = 0;
      for (const target of targetsOf(statuses, snapshot)) {
        const ref = refOf(target.kind, target.object);
        try {
          if (await write(target, ref)) written++;
        } catch (err) {
          onError(err as Error, ref);
        }
      }
      return written;
    },
  };
}

function resourceVersionOf(object: GatewayApiObject | undefined): string | undefined {
  return (object?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
}

function refOf(kind: string, object: GatewayApiObject): string {
  return KINDS[kind]?.clusterScoped ? `${kind}/${object.metadata?.name}` : `${kind}/${object.metadata?.namespace ?? 'default'}/${object.metadata?.name}`;
}
