import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { etcdClientOptions, type EtcdConnectionOptions } from '@sluice/model';
import { buildAdmin } from './admin/build-admin.js';

export interface ControlPlaneOptions extends EtcdConnectionOptions {
  host?: string;
  adminPort: number;
  adminKey: string;
  viewerKey?: string;
  /** The built dashboard to serve at /; defaults to dashboard/dist when it was built, false for none. */
  dashboardDir?: string | false;
}

/** dashboard/dist of this checkout (the same two levels up from src/ and dist/). */
const builtDashboard = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

function dashboardDirOf(opts: ControlPlaneOptions): string | undefined {
  if (opts.dashboardDir === false) return undefined;
  if (opts.dashboardDir) return opts.dashboardDir;
  return fs.existsSync(`${builtDashboard}/index.html`) ? builtDashboard : undefined;
}

/** The control-plane process: today the admin API (and, later, the Kubernetes and manifest sources). */
export async function runControlPlane(opts: ControlPlaneOptions) {
  const etcd = new Etcd3(etcdClientOptions(opts, (f) => fs.readFileSync(f)));
  const app = await buildAdmin({
    etcd,
    prefix: opts.prefix,
    adminKey: opts.adminKey,
    viewerKey: opts.viewerKey,
    dashboardDir: dashboardDirOf(opts),
    logger: { level: process.env.GATEWAY_LOG_LEVEL ?? 'warn' },
  });
  await app.listen({ port: opts.adminPort, host: opts.host ?? '::' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    adminPort: port,
    etcd,
    async stop(): Promise<void> {
      await app.close();
      etcd.close();
    },
  };
}
