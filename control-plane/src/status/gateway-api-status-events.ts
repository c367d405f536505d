import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { ClusterSnapshot } from '../source/cluster-snapshot.js';
import { resourceField } from '../source/resources-from-objects.js';
import type { TranslateWarning } from '../translate/types.js';
import type { WarningEventsOptions } from './warning-events.js';

/** The same knobs as the Ingress warning Events (rate window, cap per call, component). */
export type GatewayApiStatusEventsOptions = WarningEventsOptions;

export interface GatewayApiStatusEvents {
  /** Posts `type: Warning` Events for warnings about Gateway API objects of `snapshot` not posted recently. */
  post(warnings: readonly TranslateWarning[], snapshot: ClusterSnapshot): Promise<number>;
}

/** Warning objects ("Kind/namespace/name") of these kinds become Events (Ingress ones have their own poster). */
const EVENT_KINDS = ['Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'ReferenceGrant', 'BackendTLSPolicy'];
const KINDS: Record<string, keyof ClusterSnapshot> = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, resourceField(kind)!]));

/**
 * core/v1 Events for the Gateway API translator's warnings, rate-limited like the Ingress
 * ones: one Event per distinct (object, message) per window and a cap per snapshot. The
 * involvedObject is the object as listed (its apiVersion and uid), so `kubectl describe` shows it.
 */
export function createGatewayApiStatusEvents(options: GatewayApiStatusEventsOptions): GatewayApiStatusEvents {
  const { repeatMs = 10 * 60_000, maxPerCall = 50, component = 'sluice-controller', onError = () => {}, now = Date.now } = options;
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(CoreV1Api);
  const lastPosted = new Map<string, number>();
  let seq = 0;

  return {
    async post(warnings, snapshot) {
      let posted = 0;
      for (const w of warnings) {
        if (posted >= maxPerCall) break;
        const [kind, namespace, name] = w.object.split('/');
        const field = kind ? KINDS[kind] : undefined;
        if (!field || !namespace || !name) continue;
        const object = (snapshot[field] as readonly { apiVersion?: string; metadata?: { namespace?: string; name?: string; uid?: string } }[]).find(
          (o) => o.metadata?.name === name && (o.metadata?.namespace ?? 'default') === namespace,
        );
        if (!object) continue;
        const key = `${w.object} ${w.message}`;
        const last = lastPosted.get(key);
        if (last !== undefined && now() - last < repeatMs) continue;
        lastPosted.set(key, now());
        const at = new Date(now());
        const body: CoreV1Event = {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${name}.${at.getTime().toString(16)}${(seq++ % 4096).toString(16)}`, namespace },
          involvedObject: { apiVersion: object.apiVersion, kind, namespace, name, ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}) },
          type: 'Warning',
          reason: 'Warning',
          message: w.message.slice(0, 1024),
          source: { component },
          firstTimestamp: at,
          lastTimestamp: at,
          count: 1,
        };
        try {
          await api.createNamespacedEvent({ namespace, body });
          posted++;
        } catch (err) {
          onError(err as Error);
        }
      }
      // Forget old keys so the map does not grow with every message ever seen.
      if (lastPosted.size > 10_000) for (const [k, t] of lastPosted) if (now() - t >= repeatMs) lastPosted.delete(k);
      return posted;
    },
  };
}
