import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError, type AdminIdentity, type AdminRole } from '@sluice/model';
import type { LiveState } from '../store/live-state.js';
import { hashKey } from './key-hash.js';
import { BOOTSTRAP_ADMIN, BOOTSTRAP_VIEWER } from './request-identity.js';

export interface ApiKeys {
  /** The bootstrap admin key (name `admin`). */
  adminKey: string;
  /** A bootstrap key that may only read (name `viewer`). */
  viewerKey?: string;
}

const API_ROOT = '/api/v1';
const READ_METHODS = new Set(['GET', 'HEAD']);
/**
 * The OpenAPI description is public: it holds only the shape of the API and of the
 * documents (no keys, no documents), and tools fetch it before they have a key.
 */
const PUBLIC_PATHS = new Set([`${API_ROOT}/openapi.json`]);

/**
 * An onRequest hook: every `/api/v1` request needs X-API-Key, which names an identity with a
 * role (request.identity). The bootstrap keys need no etcd; stored keys come from the
 * live state's in-memory copy, kept current by its watch. Viewers only read; what editors
 * may write is decided per document (authorize-write.ts).
 */
export function apiKeyAuth(keys: ApiKeys, live: LiveState) {
  const admin = digest(keys.adminKey);
  const viewer = keys.viewerKey ? digest(keys.viewerKey) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    const path = request.url.split('?')[0];
    if (!(path === API_ROOT || path.startsWith(`${API_ROOT}/`)) || PUBLIC_PATHS.has(path)) return;
    const header = request.headers['x-api-key'];
    const sent = Array.isArray(header) ? header[0] : header;
    if (!sent) throw new GatewayError('GW_ERR_UNAUTHORIZED');
    const key = digest(sent);
    let identity: AdminIdentity | undefined;
    if (timingSafeEqual(key, admin)) identity = { name: BOOTSTRAP_ADMIN, role: 'admin' };
    else if (viewer && timingSafeEqual(key, viewer)) identity = { name: BOOTSTRAP_VIEWER, role: 'viewer' };
    else identity = await storedIdentity(live, hashKey(sent));
    // Unknown and missing keys are the same to the caller: 401, authentication failed (RFC 9110
    // §15.5.2). 403 is for a known key whose role does not allow the action.
    if (!identity) throw new GatewayError('GW_ERR_UNAUTHORIZED');
    if (identity.role === 'viewer' && !READ_METHODS.has(request.method)) {
      throw new GatewayError('GW_ERR_VIEWER_READ_ONLY', { method: request.method });
    }
    request.identity = identity;
  };
}

async function storedIdentity(live: LiveState, hash: string): Promise<AdminIdentity | undefined> {
  await live.ready();
  const sent = Buffer.from(hash);
  for (const [name, record] of live.adminKeys()) {
    // Every stored hash is compared, each in constant time: how long this takes says nothing about which key came close.
    const stored = Buffer.from(String(record.hash));
    if (stored.length !== sent.length || !timingSafeEqual(stored, sent)) continue;
    const identity: AdminIdentity = { name, role: record.role as AdminRole };
    if (Array.isArray(record.kinds)) identity.kinds = record.kinds as string[];
    if (record.labels && typeof record.labels === 'object') identity.labels = record.labels as Record<string, string>;
    return identity;
  }
  return undefined;
}

/** Comparing fixed-length digests keeps the comparison constant-time whatever the key length. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Throws unless the request was made with an admin key. */
export function requireAdmin(request: FastifyRequest, what: string): void {
  const who = request.identity;
  if (who?.role !== 'admin') {
    throw new GatewayError('GW_ERR_ADMIN_ONLY', { what, name: who?.name ?? '(none)', role: who?.role ?? 'unknown' });
  }
}
