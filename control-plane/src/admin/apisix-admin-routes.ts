import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, kindByCollection, type KindSpec } from '@sluice/model';
import { APISIX_RESOURCES, fromApisix, toApisix, type ApisixResource } from '../apisix/apisix-resources.js';
import { isPlainObject } from '../apisix/apisix-issue.js';
import type { Document, EtcdRepo, StoredDocument } from '../store/etcd-repo.js';
import type { LiveState } from '../store/live-state.js';
import { apiKeyAuth, type ApiKeys } from './api-key-auth.js';
import { authorizeWrite } from './authorize-write.js';
import type { DocumentService, WriteGuards } from './document-service.js';
import { API_ROOT } from './document-routes.js';
import { generateId } from './generate-id.js';
import { mergePatch } from './merge-patch.js';
import type { WriteRecorder } from './write-recorder.js';

export const APISIX_ROOT = '/apisix/admin';

export interface ApisixAdminOptions {
  service: DocumentService;
  repo: EtcdRepo;
  live: LiveState;
  recordWrite: WriteRecorder;
  keys: ApiKeys;
}

type Query = Record<string, string | string[] | undefined>;
type Req = FastifyRequest<{ Params: { id?: string; '*'?: string }; Querystring: Query }>;

/** An APISIX error answer: `{"error_msg": ...}` with the status APISIX would use. */
class ApisixError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error_msg ?? body.message));
  }
}

const invalid = (message: string) => new ApisixError(400, { error_msg: `invalid configuration: ${message}` });

/**
 * APISIX's admin API (v3) on the admin port: `/apisix/admin/<resource>[/<id>]` for routes,
 * upstreams, services, consumers, ssls, stream_routes, global_rules and plugin_configs, with
 * APISIX's documents (snake_case, its plugin configs) in and its answers out (`{key, value,
 * createdIndex, modifiedIndex}`, `{list, total}`, `{deleted, key}`, `{error_msg}`), so its
 * clients and curl scripts work. Behind it the documents are Sluice's, written through the same
 * service as `/api/v1` (validation, references, ownership, audit, `?wait=applied`); what Sluice
 * cannot honour is refused naming the APISIX field. Keys are the admin API's own, sent as
 * `X-API-KEY` (or `?api_key=`, as APISIX allows).
 */
export async function apisixAdminRoutes(app: FastifyInstance, options: ApisixAdminOptions): Promise<void> {
  await app.register(async (scope) => {
    // The admin API's own key check, reused as it is: it guards /api/v1 paths, so it is shown one.
    const check = apiKeyAuth(options.keys, options.live);
    scope.addHook('onRequest', async (request: Req) => {
      const sent = request.headers['x-api-key'] ?? request.query.api_key;
      const asAdminApi = { url: API_ROOT, method: request.method, headers: { ...request.headers, 'x-api-key': sent } } as unknown as FastifyRequest;
      try {
        await check(asAdminApi);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        throw new ApisixError(401, { error_msg: 'failed to check token', description: err.message });
      }
      request.identity = asAdminApi.identity;
    });
    scope.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
      if (err instanceof ApisixError) return reply.status(err.status).send(err.body);
      if (err instanceof GatewayError) return reply.status(apisixStatus(err)).send({ error_msg: apisixMessage(err) });
      if (err.statusCode !== undefined && err.statusCode < 500) return reply.status(err.statusCode).send({ error_msg: err.message });
      request.log.error({ err }, 'APISIX admin request failed');
      return reply.status(500).send({ error_msg: 'internal error: see the control-plane log' });
    });
    for (const resource of APISIX_RESOURCES) register(scope, options, resource);
    scope.all(`${APISIX_ROOT}/*`, async (request) => {
      const type = (request.params as { '*': string })['*'].split('/')[0];
      throw new ApisixError(404, { error_msg: `Unsupported resource type: ${type}` });
    });
  });
}

function register(app: FastifyInstance, { service, repo, recordWrite }: ApisixAdminOptions, resource: ApisixResource): void {
  const spec = kindByCollection(resource.collection) as KindSpec;
  const base = `${APISIX_ROOT}/${resource.name}`;
  const schema = { tags: ['apisix'], summary: `APISIX admin API: ${resource.name}` };

  const item = (stored: StoredDocument) => ({
    key: `/apisix/${resource.name}/${stored.id}`,
    value: apisixValueOf(resource, stored.doc),
    createdIndex: stored.createRevision,
    modifiedIndex: stored.modRevision,
  });

  const read = async (id: string): Promise<StoredDocument> => {
    try {
      return await service.get(spec, id);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_NOT_FOUND') throw new ApisixError(404, { message: 'Key not found' });
      throw err;
    }
  };

  /** Converts, writes through the admin service (create: only when new), records the write, answers as APISIX does. */
  const write = async (request: Req, reply: FastifyReply, id: string, body: unknown, how: { create?: boolean; guards?: Partial<WriteGuards> } = {}) => {
    refuseTtl(request.query);
    if (!isPlainObject(body)) throw new ApisixError(400, { error_msg: 'missing configurations' });
    if (body.id !== undefined && String(body.id) !== id) throw new ApisixError(400, { error_msg: `wrong ${resource.kind} id` });
    const { create_time: _c, update_time: _u, ...apisix } = body;
    const converted = fromApisix(resource, id, apisix);
    if (!converted.doc) throw invalid(converted.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    const guards: WriteGuards = { force: false, authorize: authorizeWrite(request.identity, spec, id), ...how.guards };
    const result = how.create ? await service.create(spec, converted.doc as Document, guards) : await service.put(spec, id, converted.doc as Document, guards);
    await recordWrite(request, result.modRevision, [
      { action: result.created ? 'create' : 'update', collection: resource.collection, id, before: result.previous, after: result.doc },
    ]);
    reply.status(result.created ? 201 : 200);
    return item({
      id,
      doc: result.doc,
      modRevision: result.modRevision,
      createRevision: result.created ? result.modRevision : (await service.get(spec, id)).createRevision,
    });
  };

  // Paging (page, page_size) and the name filter as APISIX has them.
  app.get(base, { schema }, async (request: Req) => {
    const name = single(request.query.name);
    const stored = (await repo.listAll(resource.collection)).filter((s) => name === undefined || String(s.doc.name ?? '').includes(name));
    const page = Number(single(request.query.page) ?? 1);
    const size = single(request.query.page_size);
    if (!Number.isInteger(page) || page < 1 || (size !== undefined && !/^\d+$/.test(size)))
      throw new ApisixError(400, { error_msg: 'page and page_size must be positive integers' });
    const list = size === undefined ? stored : stored.slice((page - 1) * Number(size), page * Number(size));
    return { list: list.map(item), total: stored.length };
  });

  app.get(`${base}/:id`, { schema }, async (request: Req) => item(await read(request.params.id!)));

  app.put(`${base}/:id`, { schema }, async (request: Req, reply) => write(request, reply, request.params.id!, request.body));

  if (resource.name === 'consumers') {
    // APISIX creates and replaces consumers with a PUT on the collection, keyed by username.
    app.put(base, { schema }, async (request: Req, reply) => {
      const username = isPlainObject(request.body) ? request.body.username : undefined;
      if (typeof username !== 'string' || !username) throw invalid('username: is required');
      return write(request, reply, username, request.body);
    });
  } else {
    app.post(base, { schema }, async (request: Req, reply) => {
      if (isPlainObject(request.body) && request.body.id !== undefined) throw new ApisixError(400, { error_msg: `wrong ${resource.kind} id, do not need it` });
      return write(request, reply, generateId(), request.body, { create: true });
    });
  }

  // PATCH: a JSON merge patch of the APISIX document (null deletes, a map such as nodes merges,
  // an array is replaced); PATCH .../<id>/<path> replaces what is at <path>.
  const patch = async (request: Req, reply: FastifyReply) => {
    const id = request.params.id!;
    const stored = await read(id);
    const current = apisixValueOf(resource, stored.doc, { keepSecrets: true });
    const sub = request.params['*'];
    const next = sub ? replaceAt(current, sub.split('/').filter(Boolean), request.body) : mergePatch(current, request.body);
    // Guarded by the version read, so a change in between is not overwritten blindly.
    return write(request, reply, id, next, { guards: { ifMatch: { any: false, revisions: [stored.modRevision], raw: String(stored.modRevision) } } });
  };
  app.patch(`${base}/:id`, { schema }, patch);
  app.patch(`${base}/:id/*`, { schema }, patch);

  app.delete(`${base}/:id`, { schema }, async (request: Req) => {
    const id = request.params.id!;
    await read(id);
    const { revision, previous } = await service.delete(spec, id, { force: false, authorize: authorizeWrite(request.identity, spec, id) });
    await recordWrite(request, revision, [{ action: 'delete', collection: resource.collection, id, before: previous }]);
    return { deleted: id, key: `/apisix/${resource.name}/${id}` };
  });
}

/** The APISIX document of a stored one, with APISIX's timestamps (seconds); an ssl's key is never shown, as in APISIX. */
function apisixValueOf(resource: ApisixResource, doc: Document, opts: { keepSecrets?: boolean } = {}): Record<string, unknown> {
  const value = toApisix(resource, doc);
  if (resource.name === 'ssls' && !opts.keepSecrets) delete value.key;
  const seconds = (iso: unknown) => (typeof iso === 'string' ? Math.floor(Date.parse(iso) / 1000) : undefined);
  const created = seconds(doc.createdAt);
  const updated = seconds(doc.updatedAt);
  return { ...value, ...(created !== undefined ? { create_time: created } : {}), ...(updated !== undefined ? { update_time: updated } : {}) };
}

/** Sets `value` at `path` inside `doc` (creating objects on the way), as APISIX's sub-path PATCH does. */
function replaceAt(doc: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  if (path.length === 0) return value as Record<string, unknown>;
  const [head, ...rest] = path as [string, ...string[]];
  const inner = isPlainObject(doc[head]) ? (doc[head] as Record<string, unknown>) : {};
  return { ...doc, [head]: rest.length ? replaceAt(inner, rest, value) : value };
}

function refuseTtl(query: Query): void {
  if (query.ttl !== undefined) throw invalid('ttl: documents that expire are not supported (delete the document when it is no longer wanted)');
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** APISIX answers 400 for what it refuses to store; a conflict with another writer stays 409. */
function apisixStatus(err: GatewayError): number {
  if (err.code === 'GW_ERR_IN_USE' || err.code === 'GW_ERR_REFERENCE' || err.code === 'GW_ERR_MANAGED' || err.code === 'GW_ERR_VALIDATION') return 400;
  return err.status;
}

/** APISIX's wording where a client may look for it ("can not delete this upstream, route [1] is still using it now"). */
function apisixMessage(err: GatewayError): string {
  if (err.code === 'GW_ERR_IN_USE') {
    const refs = (err.details ?? []) as { collection: string; id: string }[];
    const users = refs.map((r) => `${r.collection.replace(/s$/, '').replace(/-/g, '_')} [${r.id}]`).join(', ');
    return `can not delete this ${err.params.kind}, ${users || String(err.params.refs)} is still using it now`;
  }
  if (err.code === 'GW_ERR_VALIDATION') return `invalid configuration: ${err.message}`;
  return err.message;
}
