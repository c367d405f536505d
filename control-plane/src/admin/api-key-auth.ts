import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '@sluice/model';

export interface ApiKeys {
  adminKey: string;
  /** May only read. */
  viewerKey?: string;
}

const API_ROOT = '/api/v1';
const READ_METHODS = new Set(['GET', 'HEAD']);
/**
 * The OpenAPI description is public: it holds only the shape of the API and of the
 * documents (no keys, no documents), and tools fetch it before they have a key.
 */
const PUBLIC_PATHS = new Set([`${API_ROOT}/openapi.json`]);

/** An onRequest hook: every `/api/v1` request needs X-API-Key; the viewer key only reads. */
export function apiKeyAuth(keys: ApiKeys) {
  const admin = digest(keys.adminKey);
  const viewer = keys.viewerKey ? digest(keys.viewerKey) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    const path = request.url.split('?')[0];
    if (!(path === API_ROOT || path.startsWith(`${API_ROOT}/`)) || PUBLIC_PATHS.has(path)) return;
    const header = request.headers['x-api-key'];
    const sent = Array.isArray(header) ? header[0] : header;
    if (!sent) throw new GatewayError('GW_ERR_UNAUTHORIZED');
    const key = digest(sent);
    if (timingSafeEqual(key, admin)) return;
    if (viewer && timingSafeEqual(key, viewer)) {
      if (READ_METHODS.has(request.method)) return;
      throw new GatewayError('GW_ERR_VIEWER_READ_ONLY', { method: request.method });
    }
    throw new GatewayError('GW_ERR_FORBIDDEN');
  };
}

/** Comparing fixed-length digests keeps the comparison constant-time whatever the key length. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
