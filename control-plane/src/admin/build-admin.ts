import fastifySwagger from '@fastify/swagger';
import { Etcd3 } from 'etcd3';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { normalizePrefix } from '@sluice/model';
import { DEFAULT_ETCD_TIMEOUT_MS } from '../store/etcd-call.js';
import { createAuditLog } from '../store/audit-log.js';
import { createEtcdRepo } from '../store/etcd-repo.js';
import { createLiveState } from '../store/live-state.js';
import { apiKeyAuth } from './api-key-auth.js';
import { apisixAdminRoutes } from './apisix-admin-routes.js';
import { auditRoutes } from './audit-routes.js';
import { createDataplaneProbe } from './dataplane-probe.js';
import { createDocumentService } from './document-service.js';
import { API_ROOT, documentRoutes } from './document-routes.js';
import { installErrorHandling, type FallbackHandler } from './error-handling.js';
import { eventStream } from './event-stream.js';
import { keyRoutes } from './key-routes.js';
import { liveRoutes } from './live-routes.js';
import type { RuntimeContext } from './runtime-checks.js';
import { gatewayPortsOf } from './stream-port-issues.js';
import { pluginRoutes } from './plugin-routes.js';
import './request-identity.js';
import { serveDashboard } from './serve-dashboard.js';
import { transferRoutes } from './transfer-routes.js';
import { installWaitApplied } from './wait-applied.js';
import { createWriteRecorder } from './write-recorder.js';

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
  /** Newest audit entries kept (default 10,000). */
  auditMaxEntries?: number;
  /** Interval of the `: ping` comment on /events (default 15 s). */
  eventPingMs?: number;
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

  const prefix = normalizePrefix(opts.prefix);
  const logger = app.log;
  const live = createLiveState(client, prefix, { logger, timeoutMs });
  const audit = createAuditLog(client, prefix, { logger, timeoutMs, maxEntries: opts.auditMaxEntries });
  // The watch and a running trim end before the client they use closes.
  app.addHook('onClose', async () => {
    await live.close();
    await audit.close();
    if (ownsClient) client.close();
  });

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
  // Imports take YAML or JSON, so their bodies stay text and the import parses them.
  const isImport = (url: string) => url.startsWith(`${API_ROOT}/import`);
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json', 'application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string' },
    (request, body, done) => (body === '' ? done(null, undefined) : isImport(request.url) ? done(null, body) : parseJson(request, body as string, done)),
  );
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  const fallback: FallbackHandler | undefined = opts.dashboardDir ? await serveDashboard(app, opts.dashboardDir) : undefined;
  installErrorHandling(app, fallback);
  app.decorateRequest('identity', undefined);
  app.decorateRequest('writeRevision', undefined);
  app.decorateRequest('waitMs', undefined);
  app.addHook('onRequest', apiKeyAuth({ adminKey: opts.adminKey, viewerKey: opts.viewerKey }, live));
  installWaitApplied(app, live);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sluice admin API', version: '1', description: 'Documents the gateway serves, stored in etcd.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ apiKey: [] }],
    },
  });

  const repo = createEtcdRepo(client, prefix, { timeoutMs });
  const recordWrite = createWriteRecorder(audit);
  const runtime: RuntimeContext = {
    gatewayPorts: async () => {
      await live.ready();
      return gatewayPortsOf(live.dataplanes());
    },
  };
  const service = createDocumentService(repo, runtime);
  await app.register(documentRoutes, { service, live, recordWrite });
  await app.register(apisixAdminRoutes, { service, repo, live, recordWrite, keys: { adminKey: opts.adminKey, viewerKey: opts.viewerKey } });
  await app.register(pluginRoutes);
  await app.register(liveRoutes, { repo, live, probe: createDataplaneProbe() });
  await app.register(eventStream, { live, pingMs: opts.eventPingMs });
  await app.register(keyRoutes, { client, etcdPrefix: prefix, live, recordWrite, timeoutMs });
  await app.register(auditRoutes, { audit });
  await app.register(transferRoutes, { repo, recordWrite, runtime });

  app.get(`${API_ROOT}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  return app;
}

function connectEtcd(endpoints: string | string[], timeoutMs: number): Etcd3 {
  const hosts = (Array.isArray(endpoints) ? endpoints : endpoints.split(',')).map((h) => h.trim()).filter(Boolean);
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
