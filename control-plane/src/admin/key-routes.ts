import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Etcd3 } from 'etcd3';
import { AdminKeyCreate, GatewayError, kindByCollection, normalizePrefix, validateSchema, type AdminKeyCreated, type AdminKeyInfo } from '@sluice/model';
import { etcdCall } from '../store/etcd-call.js';
import { ADMIN_KEYS_SEGMENT, type LiveState } from '../store/live-state.js';
import { requireAdmin } from './api-key-auth.js';
import { generateKey, hashKey } from './key-hash.js';
import { BOOTSTRAP_ADMIN, BOOTSTRAP_VIEWER } from './request-identity.js';
import type { WriteRecorder } from './write-recorder.js';

const API_ROOT = '/api/v1';

export interface KeyRoutesOptions {
  client: Etcd3;
  /** The etcd key prefix (not named `prefix`: Fastify reads that register option as a URL prefix). */
  etcdPrefix: string;
  live: LiveState;
  recordWrite: WriteRecorder;
  timeoutMs: number;
}

/** `/admin-keys`: named keys with roles, stored hashed under `<prefix>/_admin/keys/<name>`; admins only. */
export async function keyRoutes(app: FastifyInstance, { client, etcdPrefix, live, recordWrite, timeoutMs }: KeyRoutesOptions): Promise<void> {
  const keyOf = (name: string) => `${normalizePrefix(etcdPrefix)}/${ADMIN_KEYS_SEGMENT}${name}`;

  app.get(`${API_ROOT}/admin-keys`, { schema: { tags: ['admin'], summary: 'Admin keys (admin only)' } }, async (request) => {
    requireAdmin(request, 'listing keys');
    await live.ready();
    const items = [...live.adminKeys().entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, r]) => info(name, r));
    return { items };
  });

  app.post(`${API_ROOT}/admin-keys`, { schema: { tags: ['admin'], summary: 'Admin keys (admin only)' } }, async (request, reply) => {
    requireAdmin(request, 'creating keys');
    const body = request.body;
    const issues = validateSchema(AdminKeyCreate, body);
    if (issues.length) {
      throw new GatewayError('GW_ERR_VALIDATION', { kind: 'admin key', detail: `${issues[0].path} ${issues[0].message}` }, issues);
    }
    const input = body as AdminKeyCreate;
    const badScope = (path: string, message: string) =>
      new GatewayError('GW_ERR_VALIDATION', { kind: 'admin key', detail: `${path} ${message}` }, [{ path, message }]);
    if (input.name === BOOTSTRAP_ADMIN || input.name === BOOTSTRAP_VIEWER) throw badScope('/name', `${input.name} is the name of a bootstrap key`);
    if (input.role !== 'editor' && (input.kinds || input.labels)) throw badScope(input.kinds ? '/kinds' : '/labels', 'applies to editor keys only');
    input.kinds?.forEach((k, i) => {
      const spec = kindByCollection(k);
      if (!spec || !spec.adminWritable) throw badScope(`/kinds/${i}`, `${k} is not a writable collection`);
    });
    const key = generateKey();
    const record = { name: input.name, role: input.role, kinds: input.kinds, labels: input.labels, created: new Date().toISOString(), hash: hashKey(key) };
    const res = await etcdCall(
      () =>
        client
          .if(keyOf(input.name), 'Create', '==', 0)
          .then(client.put(keyOf(input.name)).value(JSON.stringify(record)))
          .commit(),
      timeoutMs,
    );
    if (!res.succeeded) throw new GatewayError('GW_ERR_ALREADY_EXISTS', { kind: 'admin key', id: input.name });
    live.noteAdminKey(input.name, record);
    const shown = info(input.name, record);
    await recordWrite(request, Number(res.header.revision), [{ action: 'key-create', collection: 'admin-keys', id: input.name, after: shown }]);
    reply.status(201);
    return { ...shown, key } satisfies AdminKeyCreated;
  });

  app.delete(
    `${API_ROOT}/admin-keys/:name`,
    { schema: { tags: ['admin'], summary: 'Delete an admin key (admin only)' } },
    async (request: FastifyRequest<{ Params: { name: string } }>) => {
      requireAdmin(request, 'deleting keys');
      const { name } = request.params;
      const previous = await etcdCall(() => client.get(keyOf(name)).string(), timeoutMs);
      if (previous === null) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: 'admin key', id: name });
      const res = await etcdCall(() => client.delete().key(keyOf(name)).exec(), timeoutMs);
      if (Number(res.deleted) === 0) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: 'admin key', id: name });
      live.noteAdminKey(name, undefined);
      let before: Record<string, unknown> | undefined;
      try {
        before = info(name, JSON.parse(previous) as Record<string, unknown>);
      } catch {
        before = undefined;
      }
      await recordWrite(request, Number(res.header.revision), [{ action: 'key-delete', collection: 'admin-keys', id: name, before }]);
      return { deleted: name };
    },
  );
}

/** A stored key as it may be shown: never the hash. */
function info(name: string, record: Record<string, unknown>): AdminKeyInfo {
  const out: AdminKeyInfo = { name, role: record.role as AdminKeyInfo['role'], created: String(record.created ?? '') };
  if (Array.isArray(record.kinds)) out.kinds = record.kinds as string[];
  if (record.labels && typeof record.labels === 'object') out.labels = record.labels as Record<string, string>;
  return out;
}
