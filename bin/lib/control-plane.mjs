import crypto from 'node:crypto';
import { runControlPlane } from '@sluice/control-plane';
import { registerCustomPluginSpecs } from './custom-plugins.mjs';
import { etcdConnection } from './options.mjs';
import { onShutdown } from './shutdown.mjs';

export function controlPlaneOptions(o, adminKey) {
  return {
    ...etcdConnection(o),
    host: o.host,
    adminPort: o['admin-port'],
    adminKey,
    viewerKey: o['viewer-key'],
  };
}

export async function run(_command, o) {
  let adminKey = o['admin-key'];
  if (!adminKey) {
    adminKey = crypto.randomBytes(18).toString('base64url');
    console.log(`no --admin-key given; generated one for this run: ${adminKey}`);
  }
  const custom = await registerCustomPluginSpecs(o['plugins-dir']);
  if (custom.length) console.log(`custom plugins: ${custom.join(', ')}`);
  const cp = await runControlPlane(controlPlaneOptions(o, adminKey));
  console.log(`control plane: admin API on port ${cp.adminPort} (http://127.0.0.1:${cp.adminPort}/api/v1), etcd ${o.etcd}${o.prefix}`);
  onShutdown(() => cp.stop());
}
