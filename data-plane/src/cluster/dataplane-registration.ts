import os from 'node:os';
import type { Etcd3, Lease } from 'etcd3';
import { documentKey, type DataplaneStatus } from '@sluice/model';
import type { Logger } from '../observe/logger.js';

const LEASE_TTL_SECONDS = 15;

/**
 * Keeps `/<prefix>/dataplanes/<id>` up to date under a lease, so the control plane and the
 * dashboard see which data planes are alive and what revision each applied. Best effort:
 * etcd being down never affects traffic.
 */
export function createDataplaneRegistration(client: Etcd3, prefix: string, id: string, logger: Logger) {
  let lease: Lease | undefined;
  let current: DataplaneStatus | undefined;
  let writing = false;
  let dirty = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const key = documentKey(prefix, 'dataplanes', id);

  function newLease(): Lease {
    const l = client.lease(LEASE_TTL_SECONDS, { autoKeepAlive: true });
    l.on('lost', () => {
      if (closed) return;
      lease = undefined;
      dirty = true;
      retry ??= setTimeout(() => {
        retry = undefined;
        void flush();
      }, 2000).unref();
    });
    return l;
  }

  async function flush(): Promise<void> {
    if (writing || closed || !current) return;
    writing = true;
    dirty = false;
    try {
      lease ??= newLease();
      await lease.put(key).value(JSON.stringify(current));
    } catch (err) {
      dirty = true;
      logger.debug({ err: String(err) }, 'dataplane registration failed; will retry');
      lease?.release();
      lease = undefined;
      retry ??= setTimeout(() => {
        retry = undefined;
        void flush();
      }, 2000).unref();
    } finally {
      writing = false;
      if (dirty && !retry) void flush();
    }
  }

  return {
    update(status: Omit<DataplaneStatus, 'id' | 'host'>): void {
      current = { id, host: os.hostname(), ...status };
      dirty = true;
      void flush();
    },
    async close(): Promise<void> {
      closed = true;
      if (retry) clearTimeout(retry);
      try {
        await lease?.revoke();
      } catch {
        /* etcd may be gone; the lease expires by itself */
      }
    },
  };
}
