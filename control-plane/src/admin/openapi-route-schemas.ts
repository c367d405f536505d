import type { KindSpec } from '@sluice/model';

/**
 * Route schemas for the OpenAPI description, one set per kind from the registry. They only
 * document: bodies are checked by validateDocument (so errors name fields our way) and
 * responses are serialized as they are (see build-admin.ts).
 */
export function openapiRouteSchemas(spec: KindSpec) {
  // A JSON copy drops TypeBox's symbol keys and keeps Fastify from touching the shared schema.
  const document = JSON.parse(JSON.stringify(spec.schema)) as Record<string, unknown>;
  // What a client sends: the server fills in the key field(s) and the timestamps.
  const keyFields = new Set(['id', spec.idField]);
  const input = {
    ...document,
    required: ((document.required as string[] | undefined) ?? []).filter((f) => !keyFields.has(f)),
  };
  const tags = [spec.collection];
  const idParam = {
    type: 'object',
    properties: { id: { type: 'string', description: `${spec.kind} ${spec.idField}` } },
    required: ['id'],
  };
  const error = {
    description: 'Error from the catalog',
    type: 'object',
    properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    required: ['code', 'message'],
  };
  const writeQuery = {
    type: 'object',
    properties: { force: { type: 'boolean', description: 'change a document owned by Kubernetes' } },
  };
  const ifMatch = {
    type: 'object',
    properties: { 'if-match': { type: 'string', description: 'the ETag (mod revision) the change is based on, or *' } },
  };
  const writeHeaders = {
    type: 'object',
    properties: {
      ...ifMatch.properties,
      'if-none-match': { type: 'string', description: '* to create only (412 when the id exists), or ETags the document must not be at' },
    },
  };
  const stored = { description: `the stored ${spec.kind}; ETag and X-Mod-Revision give its mod revision`, ...document };
  const errors = { 400: error, 404: error, 409: error, 412: error, 422: error, 503: error };

  return {
    /** The kind's JSON Schema itself, as GET /api/v1/schema/<type> serves it. */
    document,
    list: {
      tags,
      summary: `List ${spec.collection}`,
      querystring: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'substring of name, case-insensitive' },
          label: { type: 'array', items: { type: 'string' }, description: 'key:value, repeatable or comma-separated' },
          owner: { type: 'string', description: 'admin | kubernetes | an owner kind such as Ingress' },
          q: { type: 'string', description: 'substring of id, name or hosts' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          cursor: { type: 'string', description: 'nextCursor of the previous page' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            items: { type: 'array', items: document },
            total: { type: 'integer' },
            nextCursor: { type: 'string' },
            applied: {
              type: 'object',
              description: 'per listed id: applied | rejected | pending on the live data planes, with the reason when not applied',
              additionalProperties: { type: 'object', properties: { state: { type: 'string' }, reason: { type: 'string' } } },
            },
          },
        },
        ...errors,
      },
    },
    get: { tags, summary: `Get a ${spec.kind}`, params: idParam, response: { 200: stored, ...errors } },
    put: {
      tags,
      summary: `Create or replace a ${spec.kind} (create only with If-None-Match: *)`,
      params: idParam,
      querystring: writeQuery,
      headers: writeHeaders,
      body: input,
      response: { 200: stored, 201: stored, ...errors },
    },
    patch: {
      tags,
      summary: `Change a ${spec.kind} with a JSON merge patch (RFC 7386)`,
      params: idParam,
      querystring: writeQuery,
      headers: writeHeaders,
      body: { type: 'object', description: 'fields to change; null deletes a field' },
      response: { 200: stored, ...errors },
    },
    create: {
      tags,
      summary: `Create a ${spec.kind}${spec.idField === 'id' ? ' with a generated id' : ''}`,
      querystring: writeQuery,
      headers: writeHeaders,
      body: spec.idField === 'id' ? input : document,
      response: { 201: stored, ...errors },
    },
    delete: {
      tags,
      summary: `Delete a ${spec.kind} nothing refers to`,
      params: idParam,
      querystring: writeQuery,
      headers: ifMatch,
      response: { 200: { type: 'object', properties: { deleted: { type: 'string' } } }, ...errors },
    },
    history: {
      tags,
      summary: `Earlier versions of a ${spec.kind}, newest first`,
      params: idParam,
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: { modRevision: { type: 'integer' }, updatedAt: { type: 'string' }, document },
          },
        },
        ...errors,
      },
    },
    rollback: {
      tags,
      summary: `Write an earlier version of a ${spec.kind} back`,
      params: idParam,
      querystring: writeQuery,
      headers: ifMatch,
      body: { type: 'object', properties: { modRevision: { type: 'integer' } }, required: ['modRevision'] },
      response: { 200: stored, ...errors },
    },
    schema: { tags, summary: `The JSON Schema of a ${spec.kind}`, response: { 200: { type: 'object' } } },
    validate: {
      tags,
      summary: `Check a ${spec.kind} without writing it`,
      body: input,
      response: {
        200: {
          type: 'object',
          properties: {
            valid: { type: 'boolean' },
            issues: {
              type: 'array',
              items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
        ...errors,
      },
    },
  };
}
