import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Condition, ConsumerResource, RoutePolicy } from '../policy/crd-schemas.js';
import { SLUICE_GROUP, SLUICE_VERSION } from '../policy/crd-schemas.js';
import type { PolicyStatus } from '../policy/policy-conditions.js';
import type { Resources, TranslateResult } from '../translate/types.js';

export interface PolicyStatusOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  /** Told about each status written, e.g. "RoutePolicy/default/auth". */
  onWritten?: (object: string, conditions: Condition[]) => void;
  onError?: (err: Error, object: string) => void;
  now?: () => Date;
}

export interface PolicyStatusWriter {
  /** Brings `status.conditions` of every RoutePolicy and Consumer in `resources` in line with `result`. */
  update(result: TranslateResult, resources: Resources): Promise<void>;
}

const PLURAL = { RoutePolicy: 'routepolicies', Consumer: 'consumers' } as const;

/**
 * Writes the translator's conditions into the status subresource of our CRs, as the Ingress
 * status writer does: only when they differ from what the object carries (so a steady state
 * costs no API calls), keeping `lastTransitionTime` while a condition's status stays the same.
 * Stateless: it compares against the informers' snapshot, so a new leader picks up at once.
 */
export function createPolicyStatusWriter(options: PolicyStatusOptions): PolicyStatusWriter {
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(CustomObjectsApi);
  const { onWritten = () => {}, onError = () => {}, now = () => new Date() } = options;

  return {
    async update(result, resources) {
      const objects = new Map<string, RoutePolicy | ConsumerResource>();
      for (const p of resources.routePolicies ?? []) objects.set(`RoutePolicy/${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`, p);
      for (const c of resources.consumers ?? []) objects.set(`Consumer/${c.metadata?.namespace ?? 'default'}/${c.metadata?.name}`, c);
      for (const status of result.policyStatuses ?? []) {
        const ref = `${status.kind}/${status.namespace}/${status.name}`;
        const object = objects.get(ref);
        if (!object) continue;
        const current = object.status?.conditions ?? [];
        const desired = withTransitionTimes(status, current, now().toISOString());
        if (sameConditions(current, desired)) continue;
        try {
          await api.replaceNamespacedCustomObjectStatus({
            group: SLUICE_GROUP,
            version: SLUICE_VERSION,
            namespace: status.namespace,
            plural: PLURAL[status.kind],
            name: status.name,
            // Only what the status subresource reads: the API server keeps spec and metadata as stored.
            body: {
              apiVersion: `${SLUICE_GROUP}/${SLUICE_VERSION}`,
              kind: status.kind,
              metadata: { name: status.name, namespace: status.namespace, resourceVersion: object.metadata?.resourceVersion },
              status: { conditions: desired },
            },
          });
          onWritten(ref, desired);
        } catch (err) {
          // A 409 means the object changed; its next snapshot brings it here again.
          onError(err as Error, ref);
        }
      }
    },
  };
}

function withTransitionTimes(status: PolicyStatus, current: readonly Condition[], now: string): Condition[] {
  return status.conditions.map((c) => {
    const before = current.find((x) => x.type === c.type);
    return { ...c, lastTransitionTime: before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now };
  });
}

/** Equal apart from order; lastTransitionTime counts only through `status` (it is kept when that is unchanged). */
function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  const key = (l: readonly Condition[]) =>
    JSON.stringify([...l].map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration ?? null, c.lastTransitionTime ?? null]).sort());
  return key(a) === key(b);
}
