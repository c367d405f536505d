import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, kindByCollection, type DataplaneView, type UpstreamHealthReply } from '@sluice/model';
import type { EtcdRepo } from '../store/etcd-repo.js';
import type { LiveDataplane, LiveState } from '../store/live-state.js';
import type { DataplaneProbe } from './dataplane-probe.js';
import { openapiRouteSchemas } from './openapi-route-schemas.js';
import { sslInfo } from './ssl-certificate.js';

const API_ROOT = '/api/v1';

export interface LiveRoutesOptions {
  repo: EtcdRepo;
  live: LiveState;
  probe: DataplaneProbe;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** What the dashboard's overview reads: live data planes, their traffic and upstream health, certificates. */
export async function liveRoutes(app: FastifyInstance, { repo, live, probe }: LiveRoutesOptions): Promise<void> {
  // The kind's generic list schema describes it in the OpenAPI document; only live ones are listed.
  app.get(`${API_ROOT}/dataplanes`, { schema: openapiRouteSchemas(kindByCollection('dataplanes')!).list }, async () => {
    const { items, revision } = await live.readDataplanes();
    await live.ready();
    // revision: etcd's head (registrations move it too); documentRevision: the newest document
    // change, which every data plane's appliedRevision must reach to be up to date.
    return { items: items.map(dataplaneView), total: items.length, revision, documentRevision: live.documentRevision() };
  });

  app.get(
    `${API_ROOT}/metrics/routes`,
    { schema: { tags: ['admin'], summary: 'Requests and errors per route, summed over the live data planes' } },
    async () => {
      await live.ready();
      return probe.routeMetrics(await probe.probeAll(live.dataplanes()));
    },
  );

  app.get(
    `${API_ROOT}/upstreams/:id/health`,
    { schema: { tags: ['admin'], summary: "Health of an upstream's nodes as each live data plane sees it" } },
    async (request: IdRequest) => {
      const stored = await repo.get('upstreams', request.params.id);
      if (!stored) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: 'upstream', id: request.params.id });
      await live.ready();
      const results = await probe.probeAll(live.dataplanes());
      const nodes = ((stored.doc.nodes ?? []) as { host: string; port: number }[]).map((n) => {
        const key = n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
        const dataplanes: Record<string, boolean> = {};
        for (const r of results) {
          const healthy = r.health.get(request.params.id)?.get(key);
          if (healthy !== undefined) dataplanes[r.id] = healthy;
        }
        const seen = Object.values(dataplanes);
        return { host: n.host, port: n.port, healthy: seen.length ? seen.every(Boolean) : null, dataplanes };
      });
      const unreachable = results.filter((r) => !r.ok).map((r) => r.id);
      const reply: UpstreamHealthReply = { nodes, ...(unreachable.length ? { unreachable } : {}) };
      return reply;
    },
  );

  app.get(
    `${API_ROOT}/ssls/:id/info`,
    { schema: { tags: ['admin'], summary: 'Subject, issuer, validity and fingerprint of a stored certificate' } },
    async (request: IdRequest) => {
      const stored = await repo.get('ssls', request.params.id);
      if (!stored) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: 'ssl', id: request.params.id });
      return sslInfo(stored.doc);
    },
  );

  app.get(`${API_ROOT}/whoami`, { schema: { tags: ['admin'], summary: 'The name and role of the X-API-Key' } }, async (request) => request.identity);
}

/** The stored registration under the contract's names (appliedRevision, started, status). */
function dataplaneView(dp: LiveDataplane): DataplaneView {
  const doc = dp.doc;
  return {
    ...doc,
    id: dp.id,
    host: String(doc.host ?? ''),
    workers: typeof doc.workers === 'number' ? doc.workers : 0,
    started: typeof doc.startedAt === 'string' ? doc.startedAt : undefined,
    appliedRevision: dp.appliedRevision,
    statusUrl: typeof doc.statusUrl === 'string' ? doc.statusUrl : undefined,
    status: typeof doc.state === 'string' ? doc.state : undefined,
    modRevision: dp.modRevision,
  };
}
