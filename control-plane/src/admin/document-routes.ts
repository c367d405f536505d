import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, kinds, type KindSpec } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';
import type { DocumentService, WriteGuards, WriteResult } from './document-service.js';
import { parseIfMatch } from './if-match.js';
import { parseListQuery } from './list-query.js';
import { openapiRouteSchemas } from './openapi-route-schemas.js';

export const API_ROOT = '/api/v1';

type Query = Record<string, string | string[] | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/**
 * The document endpoints of every kind in the registry. Each kind gets the same routes
 * (read-only kinds only the reading ones), so the OpenAPI description lists every type
 * with its own schema.
 */
export async function documentRoutes(app: FastifyInstance, { service }: { service: DocumentService }): Promise<void> {
  for (const spec of kinds) registerKind(app, service, spec);
}

function registerKind(app: FastifyInstance, service: DocumentService, spec: KindSpec): void {
  const base = `${API_ROOT}/${spec.collection}`;
  const schemas = openapiRouteSchemas(spec);

  app.get(base, { schema: schemas.list }, async (request: FastifyRequest<{ Querystring: Query }>) =>
    service.list(spec, parseListQuery(request.query)),
  );

  app.get(`${base}/:id`, { schema: schemas.get }, async (request: IdRequest, reply) => {
    const stored = await service.get(spec, request.params.id);
    setRevision(reply, stored.modRevision);
    return stored.doc;
  });

  app.get(`${base}/:id/history`, { schema: schemas.history }, async (request: IdRequest) =>
    service.history(spec, request.params.id),
  );

  app.get(`${API_ROOT}/schema/${spec.collection}`, { schema: schemas.schema }, async () => schemas.document);

  app.post(`${API_ROOT}/validate/${spec.collection}`, { schema: schemas.validate }, async (request) =>
    service.validate(spec, bodyObject(request.body)),
  );

  if (!spec.adminWritable) return;

  app.put(`${base}/:id`, { schema: schemas.put }, async (request: IdRequest, reply) =>
    sendWrite(reply, await service.put(spec, request.params.id, bodyObject(request.body), guardsOf(request))),
  );

  app.patch(`${base}/:id`, { schema: schemas.patch }, async (request: IdRequest, reply) =>
    sendWrite(reply, await service.patch(spec, request.params.id, bodyObject(request.body), guardsOf(request))),
  );

  app.post(base, { schema: schemas.create }, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const result = await service.create(spec, bodyObject(request.body), guardsOf(request));
    reply.header('Location', `${base}/${encodeURIComponent(String(result.doc.id))}`);
    return sendWrite(reply, result);
  });

  app.delete(`${base}/:id`, { schema: schemas.delete }, async (request: IdRequest) => {
    await service.delete(spec, request.params.id, guardsOf(request));
    return { deleted: request.params.id };
  });

  app.post(`${base}/:id/rollback`, { schema: schemas.rollback }, async (request: IdRequest, reply) => {
    const modRevision = bodyObject(request.body).modRevision;
    if (!Number.isInteger(modRevision) || (modRevision as number) < 1) {
      throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'modRevision must be a positive integer from the history' });
    }
    return sendWrite(reply, await service.rollback(spec, request.params.id, modRevision as number, guardsOf(request)));
  });
}

function guardsOf(request: FastifyRequest<{ Querystring: Query }>): WriteGuards {
  const force = request.query.force;
  return {
    ifMatch: parseIfMatch(request.headers['if-match']),
    force: force === '' || force === 'true' || force === '1',
  };
}

function sendWrite(reply: FastifyReply, result: WriteResult): Document {
  setRevision(reply, result.modRevision);
  reply.status(result.created ? 201 : 200);
  return result.doc;
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
