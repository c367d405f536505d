import { CoreV1Api, type KubeConfig, type CoreV1Event } from '@kubernetes/client-node';
import type { TranslateWarning } from '../translate/types.js';

export interface WarningEventsOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  /** The same warning about the same object is posted at most once in this window. */
  repeatMs?: number;
  /** At most this many Events per `post` call (a bad rollout must not flood the API server). */
  maxPerCall?: number;
  /** Reported as the Event's source component. */
  component?: string;
  onError?: (err: Error) => void;
  now?: () => number;
}

export interface WarningEvents {
  /** Posts `type: Warning, reason: Warning` Events for Ingress warnings not posted recently. */
  post(warnings: readonly TranslateWarning[]): Promise<number>;
  /** Posts one `type: Normal, reason: Sync` Event on an Ingress. */
  sync(object: string, message: string): Promise<number>;
}

/**
 * core/v1 Events for what the translator warns about, rate-limited: one Event per distinct
 * (object, message) per window, and a cap per snapshot. Only Ingress warnings become Events
 * (their involvedObject must exist); every warning is logged by the caller either way.
 */
export function createWarningEvents(options: WarningEventsOptions): WarningEvents {
  const { repeatMs = 10 * 60_000, maxPerCall = 50, component = 'sluice-controller', onError = () => {}, now = Date.now } = options;
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(CoreV1Api);
  const lastPosted = new Map<string, number>();
  let seq = 0;

  const send = async (object: string, type: 'Warning' | 'Normal', reason: string, message: string): Promise<boolean> => {
    const [kind, namespace, name] = object.split('/');
    if (kind !== 'Ingress' || !namespace || !name) return false;
    const at = new Date(now());
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${at.getTime().toString(16)}${(seq++ % 4096).toString(16)}`, namespace },
      involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace, name },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    };
    try {
      await api.createNamespacedEvent({ namespace, body });
      return true;
    } catch (err) {
      onError(err as Error);
      return false;
    }
  };

  const due = (key: string) => {
    const last = lastPosted.get(key);
    if (last !== undefined && now() - last < repeatMs) return false;
    lastPosted.set(key, now());
    return true;
  };

  return {
    async post(warnings) {
      let posted = 0;
      for (const w of warnings) {
        if (posted >= maxPerCall) break;
        if (!w.object.startsWith('Ingress/') || !due(`W ${w.object} ${w.message}`)) continue;
        if (await send(w.object, 'Warning', 'Warning', w.message)) posted++;
      }
      // Forget old keys so the map does not grow with every message ever seen.
      if (lastPosted.size > 10_000) for (const [k, t] of lastPosted) if (now() - t >= repeatMs) lastPosted.delete(k);
      return posted;
    },
    async sync(object, message) {
      if (!due(`S ${object} ${message}`)) return 0;
      return (await send(object, 'Normal', 'Sync', message)) ? 1 : 0;
    },
  };
}
