import fastifySwagger from '@fastify/swagger';
import { Etcd3 } from 'etcd3';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { normalizePrefix } from '@sluice/model';
import { DEFAULT_ETCD_TIMEOUT_MS } from '../store/etcd-call.js';
import { createEtcdRepo } from '../store/etcd-repo.js';
import { apiKeyAuth } from './api-key-auth.js';
import { createDocumentService } from './document-service.js';
import { API_ROOT, documentRoutes } from './document-routes.js';
import { installErrorHandling, type FallbackHandler } from './error-handling.js';
import { pluginRoutes } from './plugin-routes.js';
import { serveDashboard } from './serve-dashboard.js';

export interface AdminOptions {
  /** A client the caller owns, or endpoints (an array or comma-separated) for a client the app owns and closes. */
  etcd: Etcd3 | string | string[];
  /** Key prefix of the documents, e.g. /gateway. */
  prefix: string;
  adminKey: string;
  /** A key that may only read. */
  viewerKey?: string;
  /** Fastify's logger option, or a pino logger. */
  logger?: boolean | object;
  /** The built dashboard, served at / when set. */
  dashboardDir?: string;
  /** The longest one etcd call may take before the request gets a 503 (default 5 s). */
  etcdTimeoutMs?: number;
  /** Largest accepted request body in bytes (default 4 MiB: certificates and big routes fit). */
  bodyLimit?: number;
}

/** The admin API (DESIGN.md "Admin API") as a Fastify app; the caller listens. */
export async function buildAdmin(opts: AdminOptions): Promise<FastifyInstance> {
  if (!opts.adminKey) throw new Error('buildAdmin needs an adminKey');
  const timeoutMs = opts.etcdTimeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  const ownsClient = typeof opts.etcd === 'string' || Array.isArray(opts.etcd);
  const client = ownsClient ? connectEtcd(opts.etcd as string | string[], timeoutMs) : (opts.etcd as Etcd3);

  const bodyLimit = opts.bodyLimit ?? 4 * 1024 * 1024;
  const app: FastifyInstance = isLogger(opts.logger)
    ? Fastify({ loggerInstance: opts.logger, bodyLimit })
    : Fastify({ logger: opts.logger ?? false, bodyLimit });
  if (ownsClient) app.addHook('onClose', async () => client.close());

  // Schemas on routes only describe the API for OpenAPI: documents are checked by the model's
  // validateDocument (issues name fields our way), and replies go out as they are.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Fastify's JSON parser (prototype-poisoning checks included) for merge patches too; an
  // empty body is no body, since many clients send a JSON content type on DELETE.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // Bodies are always JSON. `curl -d` labels them x-www-form-urlencoded and some shells send
  // text/plain: parse those as JSON too (as APISIX's admin API does) rather than answer 415.
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json', 'application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string' },
    (request, body, done) => (body === '' ? done(null, undefined) : parseJson(request, body as string, done)),
  );

  const fallback: FallbackHandler | undefined = opts.dashboardDir
    ? await serveDashboard(app, opts.dashboardDir)
    : undefined;
  installErrorHandling(app, fallback);
  app.addHook('onRequest', apiKeyAuth({ adminKey: opts.adminKey, viewerKey: opts.viewerKey }));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sluice admin API', version: '1', description: 'Documents the gateway serves, stored in etcd.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ apiKey: [] }],
    },
  });

  const repo = createEtcdRepo(client, normalizePrefix(opts.prefix), { timeoutMs });
  await app.register(documentRoutes, { service: createDocumentService(repo) });
  await app.register(pluginRoutes);

  app.get(`${API_ROOT}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  return app;
}

function connectEtcd(endpoints: string | string[], timeoutMs: number): Etcd3 {
  const hosts = (Array.isArray(endpoints) ? endpoints : endpoints.split(','))
    .map((h) => h.trim())
    .filter(Boolean);
  return new Etcd3({
    hosts,
    dialTimeout: timeoutMs,
    // A deadline on every unary call, so a dead etcd fails the call instead of parking it.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
  });
}

function isLogger(logger: unknown): logger is FastifyBaseLogger {
  return typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
}
