import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { etcdClientOptions, type EtcdConnectionOptions } from '@sluice/model';
import { buildAdmin } from './admin/build-admin.js';
import { poolAddress } from './gateway-api/address-pool.js';
import { loadKubeConfig } from './source/load-kube-config.js';
import { createControlPlaneMetrics } from './observe/control-plane-metrics.js';
import { startStatusServer } from './observe/status-server.js';
import { startIngressSync } from './start-ingress-sync.js';
import { etcdCall } from './store/etcd-call.js';
import type { ClusterTranslateOptions } from './translate-cluster.js';

export interface ControlPlaneOptions extends EtcdConnectionOptions {
  host?: string;
  adminPort: number;
  adminKey: string;
  viewerKey?: string;
  /** The built dashboard to serve at /; defaults to dashboard/dist when it was built, false for none. */
  dashboardDir?: string | false;
  /** A folder of Kubernetes manifests to translate and sync to etcd (standalone mode). */
  manifests?: string;
  /**
   * Kubernetes mode: watch the API server and sync its Ingresses and Gateway API objects to
   * etcd. On with `kubernetes` or a `kubeconfig` file; the connection comes from loadKubeConfig.
   */
  kubernetes?: boolean;
  kubeconfig?: string;
  /** Stands in for `/` when looking for the pod's service account (tests). */
  serviceAccountRoot?: string;
  /** --ingress-class, --controller-name, --watch-ingress-without-class, --default-backend-service, --configmap, --tcp/udp-services-configmap, --gateway-address-pool. */
  translate?: Partial<ClusterTranslateOptions>;
  /** --leader-election-namespace (Kubernetes mode). */
  leaderElectionNamespace?: string;
  /** --status-port: /healthz, /readyz and /metrics (0 = any free port); none when undefined. */
  statusPort?: number;
  /** --publish-status-address / --publish-service: what Ingress statuses say (Kubernetes mode). */
  publishStatusAddress?: string;
  publishService?: string;
}

/** dashboard/dist of this checkout (the same two levels up from src/ and dist/). */
const builtDashboard = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

function dashboardDirOf(opts: ControlPlaneOptions): string | undefined {
  if (opts.dashboardDir === false) return undefined;
  if (opts.dashboardDir) return opts.dashboardDir;
  return fs.existsSync(`${builtDashboard}/index.html`) ? builtDashboard : undefined;
}

/** The control-plane process: the admin API, and the Ingress and Gateway API sync when a manifest folder or a kubeconfig is given. */
export async function runControlPlane(opts: ControlPlaneOptions) {
  const pool = opts.translate?.gatewayAddressPool;
  if (pool && poolAddress(pool, 0) === undefined)
    throw new Error(`--gateway-address-pool must be an IPv4 CIDR with room for hosts, e.g. 127.0.1.0/24; got ${JSON.stringify(pool)}`);
  if (opts.manifests && (opts.kubernetes || opts.kubeconfig))
    throw new Error('--manifests and Kubernetes mode (--kubernetes, --kubeconfig) are two sources of the same objects: give one');
  // Loaded before anything listens, so a broken kubeconfig stops the start with its reason.
  const kube = opts.kubernetes || opts.kubeconfig ? loadKubeConfig(opts) : undefined;
  const etcd = new Etcd3(etcdClientOptions(opts, (f) => fs.readFileSync(f)));
  const app = await buildAdmin({
    etcd,
    prefix: opts.prefix,
    adminKey: opts.adminKey,
    viewerKey: opts.viewerKey,
    dashboardDir: dashboardDirOf(opts),
    logger: { level: process.env.GATEWAY_LOG_LEVEL ?? 'warn' },
  });
  const metrics = createControlPlaneMetrics();
  // The route template, not the URL, so document ids do not become series.
  app.addHook('onResponse', async (request, reply) =>
    metrics.adminRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000),
  );
  await app.listen({ port: opts.adminPort, host: opts.host ?? '::' });
  const port = (app.server.address() as AddressInfo).port;
  const ingressSync =
    opts.manifests || kube
      ? await startIngressSync({
          etcd,
          prefix: opts.prefix,
          manifests: opts.manifests,
          kubeConfig: kube?.kubeConfig,
          translate: opts.translate,
          leaderElectionNamespace: opts.leaderElectionNamespace,
          publishStatusAddress: opts.publishStatusAddress,
          publishService: opts.publishService,
          metrics,
        }).catch(async (err) => {
          await app.close();
          etcd.close();
          throw err;
        })
      : undefined;
  const status =
    opts.statusPort === undefined
      ? undefined
      : await startStatusServer({
          port: opts.statusPort,
          host: opts.host,
          registry: metrics.registry,
          // Serving needs etcd: the admin API answers 503 without it (the sync, if any, already ran once).
          notReady: () =>
            etcdCall(() => etcd.maintenance.status(), 2_000).then(
              () => undefined,
              (err: Error) => `etcd: ${err.message}`,
            ),
        }).catch(async (err) => {
          await ingressSync?.close();
          await app.close();
          etcd.close();
          throw new Error(`--status-port ${opts.statusPort}: ${(err as Error).message}`);
        });
  return {
    adminPort: port,
    /** The status port bound (undefined without --status-port). */
    statusPort: status?.port,
    etcd,
    /** Where the Kubernetes connection came from (Kubernetes mode only). */
    kubeOrigin: kube?.origin,
    async stop(): Promise<void> {
      await status?.close();
      await ingressSync?.close();
      await app.close();
      etcd.close();
    },
  };
}
