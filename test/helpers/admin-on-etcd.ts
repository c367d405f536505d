import { Etcd3 } from 'etcd3';
import type { FastifyInstance } from 'fastify';
import { buildAdmin, type AdminOptions } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from './etcd.js';

/** An in-process admin app on its own real etcd, with the client and prefix it writes under. */
export interface AdminOnEtcd {
  etcd: TestEtcd;
  client: Etcd3;
  prefix: string;
  app: FastifyInstance;
  /** Closes the app and the client, then stops etcd and removes its data. */
  close(): Promise<void>;
}

/**
 * Starts an etcd, and builds the admin API on it under a fresh prefix named after `name`,
 * ready for `inject`. If building fails, the etcd is stopped before the error is thrown.
 */
export async function startAdminOnEtcd(name: string, options: Omit<AdminOptions, 'etcd' | 'prefix'>): Promise<AdminOnEtcd> {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  const prefix = etcd.prefix(name);
  try {
    const app = await buildAdmin({ ...options, etcd: client, prefix });
    await app.ready();
    return {
      etcd,
      client,
      prefix,
      app,
      async close() {
        await app.close();
        client.close();
        await etcd.stop();
      },
    };
  } catch (err) {
    client.close();
    await etcd.stop();
    throw err;
  }
}
