import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appliedStateOf, GatewayError, kinds, redactSecrets, type KindSpec } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';
import type { LiveState } from '../store/live-state.js';
import { authorizeWrite } from './authorize-write.js';
import type { DocumentService, WriteGuards, WriteResult } from './document-service.js';
import { parseIfMatch } from './if-match.js';
import { parseListQuery } from './list-query.js';
import { openapiRouteSchemas } from './openapi-route-schemas.js';
import type { WriteRecorder } from './write-recorder.js';

export const API_ROOT = '/api/v1';

type Query = Record<string, string | string[] | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/**
 * The document endpoints of every kind in the registry. Each kind gets the same routes
 * (read-only kinds only the reading ones), so the OpenAPI description lists every type
 * with its own schema.
 */
export interface DocumentRoutesOptions {
  service: DocumentService;
  live: LiveState;
  recordWrite: WriteRecorder;
}

/** Collections whose list has its own endpoint (live data planes only: dataplane-routes.ts). */
const OWN_LIST = new Set(['dataplanes']);

export async function documentRoutes(app: FastifyInstance, options: DocumentRoutesOptions): Promise<void> {
  for (const spec of kinds) registerKind(app, options, spec);
}

function registerKind(app: FastifyInstance, { service, live, recordWrite }: DocumentRoutesOptions, spec: KindSpec): void {
  const base = `${API_ROOT}/${spec.collection}`;
  const schemas = openapiRouteSchemas(spec);
  // Secrets are write-only for every role: answers carry the placeholder (model/src/secret-fields.ts).
  const present = (doc: Document) => redactSecrets(spec, doc);

  if (!OWN_LIST.has(spec.collection)) {
    // `applied`: each listed document's state on the live data planes (the lists' Applied column).
    app.get(base, { schema: schemas.list }, async (request: FastifyRequest<{ Querystring: Query }>) => {
      const page = await service.list(spec, parseListQuery(request.query));
      await live.ready().catch(() => undefined);
      const dataplanes = live.dataplanes();
      const applied: Record<string, { state: string; reason?: string }> = {};
      for (const { id, modRevision } of page.items) {
        const { state, reason } = appliedStateOf(id, `${spec.collection}/${id}`, modRevision, dataplanes);
        applied[id] = reason === undefined ? { state } : { state, reason };
      }
      return { items: page.items.map((s) => present(s.doc)), total: page.total, nextCursor: page.nextCursor, applied };
    });
  }

  app.get(`${base}/:id`, { schema: schemas.get }, async (request: IdRequest, reply) => {
    const stored = await service.get(spec, request.params.id);
    setRevision(reply, stored.modRevision);
    return present(stored.doc);
  });

  app.get(`${base}/:id/history`, { schema: schemas.history }, async (request: IdRequest) =>
    (await service.history(spec, request.params.id)).map((h) => ({ ...h, document: present(h.document) })),
  );

  // Whether every live data plane serves this version; `?revision=N` for a deleted document.
  app.get(
    `${base}/:id/applied`,
    { schema: { tags: ['admin'], summary: 'Whether every live data plane applied this document' } },
    async (request: IdRequest) => {
      const given = request.query.revision;
      let modRevision: number;
      if (given !== undefined) {
        modRevision = Number(Array.isArray(given) ? given[given.length - 1] : given);
        if (!Number.isInteger(modRevision) || modRevision < 1) {
          throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'revision must be a positive integer' });
        }
      } else {
        modRevision = (await service.get(spec, request.params.id)).modRevision;
      }
      await live.ready();
      return appliedStateOf(request.params.id, `${spec.collection}/${request.params.id}`, modRevision, live.dataplanes());
    },
  );

  app.get(`${API_ROOT}/schema/${spec.collection}`, { schema: schemas.schema }, async () => schemas.document);

  app.post(`${API_ROOT}/validate/${spec.collection}`, { schema: schemas.validate }, async (request) => service.validate(spec, bodyObject(request.body)));

  if (!spec.adminWritable) return;

  /** Notes the write for the audit log and `?wait=applied`, then replies with the stored document. */
  const sendWrite = async (request: FastifyRequest, reply: FastifyReply, result: WriteResult, action?: 'rollback') => {
    await recordWrite(request, result.modRevision, [
      {
        action: action ?? (result.created ? 'create' : 'update'),
        collection: spec.collection,
        id: String(result.doc[spec.idField] ?? result.doc.id),
        before: result.previous,
        after: result.doc,
      },
    ]);
    setRevision(reply, result.modRevision);
    reply.status(result.created ? 201 : 200);
    return present(result.doc);
  };

  app.put(`${base}/:id`, { schema: schemas.put }, async (request: IdRequest, reply) =>
    sendWrite(request, reply, await service.put(spec, request.params.id, bodyObject(request.body), guardsOf(request, spec, request.params.id))),
  );

  app.patch(`${base}/:id`, { schema: schemas.patch }, async (request: IdRequest, reply) =>
    sendWrite(request, reply, await service.patch(spec, request.params.id, bodyObject(request.body), guardsOf(request, spec, request.params.id))),
  );

  app.post(base, { schema: schemas.create }, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const body = bodyObject(request.body);
    const result = await service.create(spec, body, guardsOf(request, spec, String(body[spec.idField] ?? '(new)')));
    reply.header('Location', `${base}/${encodeURIComponent(String(result.doc.id))}`);
    return sendWrite(request, reply, result);
  });

  app.delete(`${base}/:id`, { schema: schemas.delete }, async (request: IdRequest, reply) => {
    const { revision, previous } = await service.delete(spec, request.params.id, guardsOf(request, spec, request.params.id));
    await recordWrite(request, revision, [{ action: 'delete', collection: spec.collection, id: request.params.id, before: previous }]);
    setRevision(reply, revision);
    return { deleted: request.params.id };
  });

  app.post(`${base}/:id/rollback`, { schema: schemas.rollback }, async (request: IdRequest, reply) => {
    const modRevision = bodyObject(request.body).modRevision;
    if (!Number.isInteger(modRevision) || (modRevision as number) < 1) {
      throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'modRevision must be a positive integer from the history' });
    }
    const result = await service.rollback(spec, request.params.id, modRevision as number, guardsOf(request, spec, request.params.id));
    return sendWrite(request, reply, result, 'rollback');
  });
}

function guardsOf(request: FastifyRequest<{ Querystring: Query }>, spec: KindSpec, id: string): WriteGuards {
  const force = request.query.force;
  return {
    ifMatch: parseIfMatch(request.headers['if-match']),
    ifNoneMatch: parseIfMatch(request.headers['if-none-match'], 'If-None-Match'),
    force: force === '' || force === 'true' || force === '1',
    authorize: authorizeWrite(request.identity, spec, id),
  };
}

function setRevision(reply: FastifyReply, modRevision: number): void {
  reply.header('ETag', `"${modRevision}"`).header('X-Mod-Revision', String(modRevision));
}

function bodyObject(body: unknown): Document {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'the body must be a JSON object' });
  }
  return body as Document;
}
