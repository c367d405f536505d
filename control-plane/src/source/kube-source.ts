import http from 'node:http';
import https from 'node:https';
import { type KubeConfig, makeInformer, type Informer, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { coalesce } from './coalesce.js';
import { COALESCE_MS, type ResourceSource } from './resource-source.js';

export interface KubeSourceOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  warn?: (warning: { object: string; message: string }) => void;
  coalesceMs?: number;
  /** Backoff before an informer that failed is started again. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

export interface WatchedKind {
  field: keyof ClusterSnapshot;
  kind: string;
  /** The preferred version; `path` lists it. */
  apiVersion: string;
  path: string;
  /**
   * Kinds we can do without: a 404 (CRD not installed) or a 403 (a ClusterRole made before we
   * watched it, e.g. the webhook's) lists as empty instead of holding back the first snapshot.
   */
  optional?: boolean;
  /** Older (or newer) versions of the same kind, tried in order when `apiVersion` is not served. */
  alternatives?: readonly string[];
}

const GATEWAY_API = 'gateway.networking.k8s.io';

/** A Gateway API kind: optional (its CRDs may be missing), in the first of `versions` the server serves. */
const gatewayKind = (field: keyof ClusterSnapshot, kind: string, plural: string, versions: readonly string[]): WatchedKind => ({
  field,
  kind,
  apiVersion: `${GATEWAY_API}/${versions[0]}`,
  path: listPath(`${GATEWAY_API}/${versions[0]}`, plural),
  optional: true,
  ...(versions.length > 1 ? { alternatives: versions.slice(1).map((v) => `${GATEWAY_API}/${v}`) } : {}),
});

/** What we watch, cluster-wide: one informer per kind. `optional` kinds may be missing or forbidden: they list as empty. */
export const WATCHED: ReadonlyArray<WatchedKind> = [
  { field: 'ingresses', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', path: '/apis/networking.k8s.io/v1/ingresses' },
  { field: 'ingressClasses', kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', path: '/apis/networking.k8s.io/v1/ingressclasses' },
  { field: 'services', kind: 'Service', apiVersion: 'v1', path: '/api/v1/services' },
  { field: 'endpointSlices', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  { field: 'endpoints', kind: 'Endpoints', apiVersion: 'v1', path: '/api/v1/endpoints' },
  { field: 'secrets', kind: 'Secret', apiVersion: 'v1', path: '/api/v1/secrets' },
  { field: 'configMaps', kind: 'ConfigMap', apiVersion: 'v1', path: '/api/v1/configmaps' },
  { field: 'routePolicies', kind: 'RoutePolicy', apiVersion: 'sluice.dev/v1alpha1', path: '/apis/sluice.dev/v1alpha1/routepolicies', optional: true },
  { field: 'consumers', kind: 'Consumer', apiVersion: 'sluice.dev/v1alpha1', path: '/apis/sluice.dev/v1alpha1/consumers', optional: true },
  // Namespaces: only Gateway listeners' allowedRoutes selectors read them (by label).
  { field: 'namespaces', kind: 'Namespace', apiVersion: 'v1', path: '/api/v1/namespaces', optional: true },
  gatewayKind('gatewayClasses', 'GatewayClass', 'gatewayclasses', ['v1']),
  gatewayKind('gateways', 'Gateway', 'gateways', ['v1']),
  gatewayKind('listenerSets', 'ListenerSet', 'listenersets', ['v1']),
  gatewayKind('httpRoutes', 'HTTPRoute', 'httproutes', ['v1']),
  gatewayKind('grpcRoutes', 'GRPCRoute', 'grpcroutes', ['v1']),
  gatewayKind('referenceGrants', 'ReferenceGrant', 'referencegrants', ['v1', 'v1beta1']),
  gatewayKind('backendTlsPolicies', 'BackendTLSPolicy', 'backendtlspolicies', ['v1', 'v1alpha3']),
  gatewayKind('tlsRoutes', 'TLSRoute', 'tlsroutes', ['v1', 'v1alpha2']),
  gatewayKind('tcpRoutes', 'TCPRoute', 'tcproutes', ['v1alpha2']),
  gatewayKind('udpRoutes', 'UDPRoute', 'udproutes', ['v1alpha2']),
];

function listPath(apiVersion: string, plural: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}/${plural}` : `/api/${apiVersion}/${plural}`;
}

type WatchedInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/**
 * The API server as a source, through the informers of `@kubernetes/client-node`: list, then
 * watch from the list's resourceVersion; a 410 Gone makes the informer relist. The informer gives
 * up on any other error, so we start it again with backoff. Objects stay plain JSON (as the
 * server sent them, like manifests read by FileSource), so the translator sees one shape.
 */
export function createKubeSource(options: KubeSourceOptions): ResourceSource {
  const { warn = () => {}, coalesceMs = COALESCE_MS, retryMinMs = 500, retryMaxMs = 30_000 } = options;
  const kc = options.kubeConfig;
  const informers: WatchedInformer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const snapshot = (): ClusterSnapshot => {
    const out: Record<string, KubernetesObject[]> = {};
    WATCHED.forEach((w, i) => (out[w.field] = [...informers[i].list()]));
    return out as unknown as ClusterSnapshot;
  };

  return {
    async start(onChange) {
      // Kinds served in several versions (ReferenceGrant v1/v1beta1, ...): pick the served one once.
      const served = await Promise.all(WATCHED.map((w) => servedVersion(kc, w)));
      return new Promise<void>((resolve, reject) => {
        const listed = new Set<number>();
        const burst = coalesce(coalesceMs, () => {
          if (!closed && listed.size === WATCHED.length) onChange(snapshot());
        });
        served.forEach((w, i) => {
          let delay = retryMinMs;
          const list = async () => {
            const body = await getJson<KubernetesListObject<KubernetesObject>>(kc, w.path).catch((err: { statusCode?: number }) => {
              // CRDs not installed, or not allowed: nothing of that kind (the watch then fails and is retried with backoff).
              if (w.optional && (err?.statusCode === 404 || err?.statusCode === 403))
                return { items: [], metadata: { resourceVersion: '0' } } as KubernetesListObject<KubernetesObject>;
              throw err;
            });
            // List items leave out kind and apiVersion; watch events carry them. Make both alike.
            body.items = (body.items ?? []).map((item) => ({ apiVersion: w.apiVersion, kind: w.kind, ...item }));
            delay = retryMinMs;
            if (!listed.has(i)) {
              listed.add(i);
              // The first snapshot waits for every kind: a Service listed before its EndpointSlices would publish a route with no endpoints.
              if (listed.size === WATCHED.length) {
                // After the informer stored these items (it does so once this function returned).
                setImmediate(() => {
                  if (closed) return;
                  onChange(snapshot());
                  resolve();
                });
              }
            }
            return body;
          };
          const informer = makeInformer<KubernetesObject>(kc, w.path, list);
          informers.push(informer);
          informer.on('change', () => burst.trigger());
          informer.on('change', () => (delay = retryMinMs));
          informer.on('error', (err: unknown) => {
            if (closed) return;
            warn({ object: w.path, message: `list/watch failed (${describe(err)}); retrying in ${delay} ms` });
            const timer = setTimeout(() => {
              timers.delete(timer);
              if (!closed) informer.start().catch(() => {});
            }, delay);
            timers.add(timer);
            delay = Math.min(delay * 2, retryMaxMs);
          });
        });
        // Errors of start() arrive through 'error' (and are retried); start() itself only fails on a broken kubeconfig.
        Promise.all(informers.map((inf) => inf.start())).catch(reject);
      });
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(informers.map((inf) => inf.stop()));
    },
  };
}

/**
 * The watched kind in the first of its versions the server lists (the preferred one when none
 * answers: an optional kind then lists as empty, and a CRD installed later is found on restart).
 */
async function servedVersion(kc: KubeConfig, w: WatchedKind): Promise<WatchedKind> {
  if (!w.alternatives?.length) return w;
  const plural = w.path.split('/').pop()!;
  for (const apiVersion of [w.apiVersion, ...w.alternatives]) {
    const path = listPath(apiVersion, plural);
    try {
      await getJson(kc, `${path}?limit=1`);
      return { ...w, apiVersion, path };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) return w;
    }
  }
  return w;
}

function describe(err: unknown): string {
  const e = err as { statusCode?: number; code?: string | number; message?: string };
  return [e?.statusCode && `HTTP ${e.statusCode}`, e?.code, e?.message].filter(Boolean).join(' ') || String(err);
}

/** GET of a list path with the kubeconfig's server, TLS and credentials. */
async function getJson<T>(kc: KubeConfig, path: string): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server + path);
  const opts: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<T>((resolve, reject) => {
    const req = lib.request(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) {
          const err = Object.assign(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`), { statusCode: res.statusCode });
          return reject(err);
        }
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end();
  });
}
