import http from 'node:http';
import https from 'node:https';
import { KubeConfig, makeInformer, type Informer, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Resources } from '../translate/types.js';
import { coalesce } from './coalesce.js';
import { COALESCE_MS, type ResourceSource } from './resource-source.js';

export interface KubeSourceOptions {
  kubeconfig: string;
  warn?: (warning: { object: string; message: string }) => void;
  coalesceMs?: number;
  /** Backoff before an informer that failed is started again. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** What we watch, cluster-wide: one informer per kind. `optional` kinds (our CRDs) may not be installed: a 404 lists as empty. */
export const WATCHED: ReadonlyArray<{ field: keyof Resources; kind: string; apiVersion: string; path: string; optional?: boolean }> = [
  { field: 'ingresses', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', path: '/apis/networking.k8s.io/v1/ingresses' },
  { field: 'ingressClasses', kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', path: '/apis/networking.k8s.io/v1/ingressclasses' },
  { field: 'services', kind: 'Service', apiVersion: 'v1', path: '/api/v1/services' },
  { field: 'endpointSlices', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  { field: 'endpoints', kind: 'Endpoints', apiVersion: 'v1', path: '/api/v1/endpoints' },
  { field: 'secrets', kind: 'Secret', apiVersion: 'v1', path: '/api/v1/secrets' },
  { field: 'configMaps', kind: 'ConfigMap', apiVersion: 'v1', path: '/api/v1/configmaps' },
  { field: 'routePolicies', kind: 'RoutePolicy', apiVersion: 'sluice.dev/v1alpha1', path: '/apis/sluice.dev/v1alpha1/routepolicies', optional: true },
  { field: 'consumers', kind: 'Consumer', apiVersion: 'sluice.dev/v1alpha1', path: '/apis/sluice.dev/v1alpha1/consumers', optional: true },
];

type WatchedInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/**
 * The API server as a source, through the informers of `@kubernetes/client-node`: list, then
 * watch from the list's resourceVersion; a 410 Gone makes the informer relist. The informer gives
 * up on any other error, so we start it again with backoff. Objects stay plain JSON (as the
 * server sent them, like manifests read by FileSource), so the translator sees one shape.
 */
export function createKubeSource(options: KubeSourceOptions): ResourceSource {
  const { warn = () => {}, coalesceMs = COALESCE_MS, retryMinMs = 500, retryMaxMs = 30_000 } = options;
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const informers: WatchedInformer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const snapshot = (): Resources => {
    const out: Record<string, KubernetesObject[]> = {};
    WATCHED.forEach((w, i) => (out[w.field] = [...informers[i].list()]));
    return out as unknown as Resources;
  };

  return {
    start(onChange) {
      return new Promise<void>((resolve, reject) => {
        const listed = new Set<number>();
        const burst = coalesce(coalesceMs, () => {
          if (!closed && listed.size === WATCHED.length) onChange(snapshot());
        });
        WATCHED.forEach((w, i) => {
          let delay = retryMinMs;
          const list = async () => {
            const body = await getJson<KubernetesListObject<KubernetesObject>>(kc, w.path).catch((err: { statusCode?: number }) => {
              // CRDs not installed: nothing of that kind (the watch then fails and is retried with backoff).
              if (w.optional && err?.statusCode === 404) return { items: [], metadata: { resourceVersion: '0' } } as KubernetesListObject<KubernetesObject>;
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
