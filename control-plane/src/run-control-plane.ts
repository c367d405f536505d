import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { Etcd3 } from 'etcd3';
import { buildAdmin } from './admin/build-admin.js';

export interface ControlPlaneOptions {
  etcd: string[];
  prefix: string;
  etcdUsername?: string;
  etcdPassword?: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  host?: string;
  adminPort: number;
  adminKey: string;
  viewerKey?: string;
}

/** The control-plane process: today the admin API (and, later, the Kubernetes and manifest sources). */
export async function runControlPlane(opts: ControlPlaneOptions) {
  const etcd = new Etcd3({
    hosts: opts.etcd,
    auth: opts.etcdUsername ? { username: opts.etcdUsername, password: opts.etcdPassword ?? '' } : undefined,
    credentials: opts.etcdCa
      ? {
          rootCertificate: fs.readFileSync(opts.etcdCa),
          certChain: opts.etcdCert ? fs.readFileSync(opts.etcdCert) : undefined,
          privateKey: opts.etcdKey ? fs.readFileSync(opts.etcdKey) : undefined,
        }
      : undefined,
  });
  const app = await buildAdmin({
    etcd,
    prefix: opts.prefix,
    adminKey: opts.adminKey,
    viewerKey: opts.viewerKey,
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
