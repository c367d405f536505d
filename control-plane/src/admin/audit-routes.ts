import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, kindByCollection, redactSecrets, type AuditEntry } from '@sluice/model';
import type { AuditLog } from '../store/audit-log.js';

const API_ROOT = '/api/v1';
const MAX_LIMIT = 500;

type Query = Record<string, string | string[] | undefined>;
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v) || undefined;

/** `GET /audit?collection=&id=&key=&limit=50&before=<cursor>`: newest first. */
export async function auditRoutes(app: FastifyInstance, { audit }: { audit: AuditLog }): Promise<void> {
  app.get(
    `${API_ROOT}/audit`,
    { schema: { tags: ['admin'], summary: 'Audit log of admin writes, newest first' } },
    async (request: FastifyRequest<{ Querystring: Query }>) => {
      const q = request.query;
      const limitText = single(q.limit);
      const limit = limitText === undefined ? 50 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `limit must be an integer from 1 to ${MAX_LIMIT}` });
      }
      const page = await audit.list({ collection: single(q.collection), id: single(q.id), key: single(q.key), limit, before: single(q.before) });
      // Entries are written redacted; entries from before a field was marked secret are redacted here.
      return { ...page, items: page.items.map(redactEntry) };
    },
  );
}

function redactEntry(entry: AuditEntry): AuditEntry {
  const spec = kindByCollection(entry.collection);
  if (!spec) return entry;
  return {
    ...entry,
    ...(entry.before ? { before: redactSecrets(spec, entry.before) } : {}),
    ...(entry.after ? { after: redactSecrets(spec, entry.after) } : {}),
  };
}
