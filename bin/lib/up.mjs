import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { findOrInstallEtcd, runControlPlane, startExampleService, startLocalEtcd, writeExampleDocuments } from '@sluice/control-plane';
import { runDataPlane } from '@sluice/data-plane/primary';
import { controlPlaneOptions, refuseTwoSources } from './control-plane.mjs';
import { portMapOf } from './data-plane.mjs';
import { ensureEtcdAccess } from './etcd-access.mjs';
import { registerCustomPluginSpecs } from './custom-plugins.mjs';
import { etcdClientOptions } from '@sluice/model';
import { applyLogLevel, dataPlaneOptions, etcdConnection } from './options.mjs';
import { onShutdown } from './shutdown.mjs';

/** Everything on one machine: local etcd (unless --etcd), admin API + dashboard, data plane, example route. */
export async function run(_command, o) {
  applyLogLevel(o);
  refuseTwoSources(o);
  const portMap = portMapOf(o);
  const dataDir = path.resolve(o['data-dir']);
  fs.mkdirSync(dataDir, { recursive: true });
  const log = (m) => console.log(`gateway up: ${m}`);

  let endpoints = o.etcdEndpoints;
  if (!o.etcdExplicit) {
    const bin = findOrInstallEtcd(log);
    const etcd = await startLocalEtcd(bin, path.join(dataDir, 'etcd'));
    onShutdown(() => etcd.stop());
    endpoints = [etcd.endpoint];
    log(`started etcd at ${etcd.endpoint} (data in ${path.join(dataDir, 'etcd')})`);
  }
  const opts = { ...o, etcdEndpoints: endpoints, etcd: endpoints.join(',') };
  if (o.etcdExplicit) await ensureEtcdAccess(etcdConnection(opts), 'up');

  // Keep the admin key across restarts so a dashboard tab and scripts keep working.
  const keyFile = path.join(dataDir, 'admin-key');
  let adminKey = o['admin-key'];
  if (!adminKey) {
    adminKey = fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : crypto.randomBytes(18).toString('base64url');
    fs.writeFileSync(keyFile, adminKey + '\n', { mode: 0o600 });
  }

  if (!o['no-example']) {
    const example = await startExampleService();
    onShutdown(() => example.close());
    const client = new Etcd3(etcdClientOptions(etcdConnection(opts), (f) => fs.readFileSync(f)));
    try {
      await writeExampleDocuments(client, o.prefix, example.port);
    } finally {
      client.close();
    }
  }

  await registerCustomPluginSpecs(o['plugins-dir']);
  // The control plane's status port sits next to the data plane's (0 stays 0: any free port).
  const cp = await runControlPlane({ ...controlPlaneOptions(opts, adminKey), statusPort: o['status-port'] === 0 ? 0 : o['status-port'] + 1 });
  onShutdown(() => cp.stop());
  const dp = await runDataPlane(dataPlaneOptions(opts, { cacheDir: path.join(dataDir, 'cache'), portMap }));
  onShutdown(() => dp.stop());

  const host = '127.0.0.1';
  console.log(
    [
      '',
      'Sluice is up.',
      `  proxy        http://${host}:${dp.httpPort}/            (try: curl http://${host}:${dp.httpPort}/example)`,
      `  admin API    http://${host}:${cp.adminPort}/api/v1     (header X-API-Key: ${adminKey})`,
      `  dashboard    http://${host}:${cp.adminPort}/`,
      `  control plane status http://${host}:${cp.statusPort}/readyz  /metrics`,
      `  status       http://${host}:${dp.statusPort}/readyz  /metrics  /status   (data plane)`,
      `  etcd         ${endpoints.join(',')}  prefix ${o.prefix}`,
      `  admin key    ${adminKey}   (saved in ${keyFile})`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}
