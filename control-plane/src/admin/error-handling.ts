import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, kindByCollection } from '@sluice/model';

/** Serves a path no route matched (the dashboard's single-page fallback); false to answer 404. */
export type FallbackHandler = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * Every error leaves as `{code, message, details?}` from the catalog: our own GatewayErrors
 * as they are, Fastify's 4xx (malformed JSON, wrong content type, body too large) as
 * GW_ERR_BAD_REQUEST with their status, anything else as a logged GW_ERR_INTERNAL.
 */
export function installErrorHandling(app: FastifyInstance, fallback?: FallbackHandler): void {
  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    if (err instanceof GatewayError) {
      if (err.status >= 500) request.log.warn({ code: err.code }, err.message);
      return reply.status(err.status).send(err.toJSON());
    }
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ code: 'GW_ERR_BAD_REQUEST', message: err.message });
    }
    request.log.error({ err }, 'admin request failed');
    return reply.status(500).send(new GatewayError('GW_ERR_INTERNAL', { detail: 'see the control-plane log' }).toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return reply;
    throw notFound(request.method, request.url.split('?')[0]);
  });
}

/** Says why nothing matched: an unknown type, a read-only type, or no such endpoint. */
function notFound(method: string, path: string): GatewayError {
  const [root, version, first, second] = path.split('/').filter(Boolean);
  if (root === 'api' && version === 'v1' && first !== undefined) {
    const type = first === 'schema' || first === 'validate' ? second : first;
    const spec = type === undefined ? undefined : kindByCollection(type);
    if (!spec) return new GatewayError('GW_ERR_UNKNOWN_TYPE', { type: type ?? '(none)' });
    if (!spec.adminWritable && method !== 'GET' && method !== 'HEAD') {
      return new GatewayError('GW_ERR_READ_ONLY', { kind: spec.kind });
    }
  }
  return new GatewayError('GW_ERR_NOT_FOUND', { kind: 'endpoint', id: `${method} ${path}` });
}
