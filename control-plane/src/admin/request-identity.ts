import type { AdminIdentity } from '@sluice/model';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, set by the API-key hook on `/api/v1` requests. */
    identity?: AdminIdentity;
    /** The etcd revision of a successful write, for `?wait=applied`. */
    writeRevision?: number;
    /** `<collection>/<id>` of the documents that write stored (deletions and admin keys not included). */
    writtenKeys?: string[];
    /** `?wait=applied&timeout=`: how long the reply to a write may wait for the data planes. */
    waitMs?: number;
  }
}

/** The name of the bootstrap `--admin-key` and of the optional `viewerKey`. */
export const BOOTSTRAP_ADMIN = 'admin';
export const BOOTSTRAP_VIEWER = 'viewer';
