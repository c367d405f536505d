import crypto from 'node:crypto';
import path from 'node:path';
import { runControlPlane } from '@sluice/control-plane';
import { registerCustomPluginSpecs } from './custom-plugins.mjs';
import { ensureEtcdAccess } from './etcd-access.mjs';
import { applyLogLevel, etcdConnection } from './options.mjs';
import { onShutdown } from './shutdown.mjs';
import { UsageError } from './usage-error.mjs';

/** --manifests and Kubernetes mode are two sources of the same objects. */
export function refuseTwoSources(o) {
  if (o.manifests && (o.kubernetes || o.kubeconfig))
    throw new UsageError('--manifests and --kubernetes/--kubeconfig are two sources of the same objects: give one');
}

export function controlPlaneOptions(o, adminKey) {
  return {
    ...etcdConnection(o),
    host: o.host,
    adminPort: o['admin-port'],
    adminKey,
    viewerKey: o['viewer-key'],
    manifests: o.manifests ? path.resolve(o.manifests) : undefined,
    kubernetes: o.kubernetes,
    kubeconfig: o.kubeconfig ? path.resolve(o.kubeconfig) : undefined,
    translate: translateOptions(o),
    leaderElectionNamespace: o['leader-election-namespace'],
    publishStatusAddress: o['publish-status-address'],
    publishService: o['publish-service'],
    statusPort: o['status-port'],
  };
}

/** The translators' options from the --ingress-class family of flags and --gateway-address-pool. */
export function translateOptions(o) {
  return {
    ingressClass: o['ingress-class'],
    controllerName: o['controller-name'],
    watchIngressWithoutClass: o['watch-ingress-without-class'] === true || o['watch-ingress-without-class'] === 'true',
    defaultBackendService: o['default-backend-service'],
    configMap: o.configmap,
    tcpServicesConfigMap: o['tcp-services-configmap'],
    udpServicesConfigMap: o['udp-services-configmap'],
    // ssl-passthrough Ingresses become tls stream routes on the data plane's HTTPS port.
    httpsPort: o['https-port'] === undefined ? undefined : Number(o['https-port']),
    gatewayAddressPool: o['gateway-address-pool'],
  };
}

export async function run(_command, o) {
  applyLogLevel(o);
  refuseTwoSources(o);
  await ensureEtcdAccess(etcdConnection(o), 'control-plane');
  let adminKey = o['admin-key'];
  if (!adminKey) {
    adminKey = crypto.randomBytes(18).toString('base64url');
    console.log(`no --admin-key given; generated one for this run: ${adminKey}`);
  }
  const custom = await registerCustomPluginSpecs(o['plugins-dir']);
  if (custom.length) console.log(`custom plugins: ${custom.join(', ')}`);
  const cp = await runControlPlane(controlPlaneOptions(o, adminKey));
  console.log(
    `control plane: admin API on port ${cp.adminPort} (http://127.0.0.1:${cp.adminPort}/api/v1), status port ${cp.statusPort} (/healthz /readyz /metrics), etcd ${o.etcd}${o.prefix}`,
  );
  if (o.manifests) console.log(`control plane: syncing Ingresses and Gateway API objects from manifests in ${path.resolve(o.manifests)}`);
  if (cp.kubeOrigin) console.log(`control plane: syncing Ingresses and Gateway API objects from the API server of ${cp.kubeOrigin}`);
  onShutdown(() => cp.stop());
}
