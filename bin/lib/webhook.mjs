// `gateway webhook`: the validating admission webhook (Ingress, RoutePolicy, Consumer, HTTPRoute)
// over HTTPS, judging each object with the same translator as the control plane, in the context
// of the cluster (--kubeconfig) or a folder of manifests (--manifests).
import path from 'node:path';
import { runWebhook } from '@sluice/control-plane';
import { refuseTwoSources, translateOptions } from './control-plane.mjs';
import { applyLogLevel } from './options.mjs';
import { onShutdown } from './shutdown.mjs';
import { UsageError } from './usage-error.mjs';

export async function run(_command, o) {
  applyLogLevel(o);
  refuseTwoSources(o);
  if (!o['webhook-cert'] || !o['webhook-key']) throw new UsageError('webhook needs --webhook-cert FILE and --webhook-key FILE (PEM)');
  const port = Number(o['webhook-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--webhook-port must be an integer between 0 and 65535, got ${o['webhook-port']}`);
  const webhook = await runWebhook({
    certFile: path.resolve(o['webhook-cert']),
    keyFile: path.resolve(o['webhook-key']),
    port,
    host: o.host,
    kubernetes: o.kubernetes,
    kubeconfig: o.kubeconfig ? path.resolve(o.kubeconfig) : undefined,
    manifests: o.manifests ? path.resolve(o.manifests) : undefined,
    translate: translateOptions(o),
  });
  const context = webhook.kubeOrigin
    ? `objects from the API server of ${webhook.kubeOrigin}`
    : o.manifests
      ? `objects from ${path.resolve(o.manifests)}`
      : 'no cluster context';
  console.log(`webhook: listening on port ${webhook.port} (https, POST /validate; ${context})`);
  onShutdown(() => webhook.stop());
}
