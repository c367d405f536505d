import type {
  AdminKeyCreate,
  AppliedState,
  AuditPage,
  AuditQuery,
  AdminKeyInfo,
  CreatedAdminKey,
  DataplaneInfo,
  DataplaneList,
  ImportPlan,
  RouteMetrics,
  SslInfo,
  UpstreamHealth,
} from './admin-types';
import { call, callText, type Collection } from './client';

const seg = encodeURIComponent;

function query(params: Record<string, string | number | boolean | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const text = qs.toString();
  return text ? `?${text}` : '';
}

/**
 * The admin endpoints beyond document CRUD (which `resource()` covers): live state, roles,
 * audit, import and export. Every call sends the key as a header (see `send`).
 */
export const adminApi = {
  async dataplanes(): Promise<DataplaneList> {
    const { body } = await call<{ items: Record<string, any>[]; revision?: number; documentRevision?: number }>('GET', '/dataplanes');
    const items = body.items.map(normalizeDataplane);
    return { items, revision: body.revision ?? Math.max(0, ...items.map((d) => d.appliedRevision)), documentRevision: body.documentRevision };
  },
  applied: async (collection: Collection, id: string) => (await call<AppliedState>('GET', `/${collection}/${seg(id)}/applied`)).body,
  routeMetrics: async () => (await call<RouteMetrics>('GET', '/metrics/routes')).body,
  upstreamHealth: async (id: string) => (await call<UpstreamHealth>('GET', `/upstreams/${seg(id)}/health`)).body,
  sslInfo: async (id: string) => (await call<SslInfo>('GET', `/ssls/${seg(id)}/info`)).body,
  adminKeys: {
    list: async () => (await call<{ items: AdminKeyInfo[] }>('GET', '/admin-keys')).body.items,
    create: async (spec: AdminKeyCreate) => (await call<CreatedAdminKey>('POST', '/admin-keys', { body: spec })).body,
    async remove(name: string): Promise<void> {
      await call('DELETE', `/admin-keys/${seg(name)}`);
    },
  },
  audit: async (q: AuditQuery = {}) => (await call<AuditPage>('GET', `/audit${query({ ...q })}`)).body,
  exportYaml: (collections: string[], label?: string) => callText('GET', `/export${query({ collections: collections.join(','), label })}`),
  importYaml: async (yaml: string, dryRun: boolean) =>
    (await call<ImportPlan>('POST', `/import${query({ dryRun: dryRun || undefined })}`, { text: yaml })).body,
  importOpenapi: async (document: string, upstream: string, dryRun: boolean) =>
    (
      await call<ImportPlan>('POST', `/import/openapi${query({ upstream, dryRun: dryRun || undefined })}`, {
        text: document,
        contentType: document.trimStart().startsWith('{') ? 'application/json' : 'application/yaml',
      })
    ).body,
  plugins: async () => (await call<{ items: PluginDescription[] }>('GET', '/plugins')).body.items,
  /** A kind's JSON Schema as the admin API validates with it: forms are generated from it, never from a copy. */
  kindSchema: async (collection: Collection) => (await call<JsonSchema>('GET', `/schema/${collection}`)).body,
};

/** A plugin as `GET /plugins` describes it: enough to build its form. */
export interface PluginDescription {
  name: string;
  priority: number;
  type?: string;
  description: string;
  attachTo: readonly string[];
  schema: JsonSchema;
  /** Auth plugins: the credential's schema on a consumer. */
  consumerSchema?: JsonSchema;
  example?: unknown;
  notes?: readonly string[];
}
export type JsonSchema = Record<string, any>;

/** The data planes' registration documents predate the contract's names (revision, startedAt, state): accept both. */
function normalizeDataplane(d: Record<string, any>): DataplaneInfo {
  return {
    ...d,
    id: String(d.id),
    host: d.host ?? '',
    workers: d.workers ?? 0,
    started: d.started ?? d.startedAt,
    appliedRevision: Number(d.appliedRevision ?? d.revision ?? 0),
    statusUrl: d.statusUrl,
    status: typeof d.status === 'string' ? d.status : d.state,
    rejected: d.rejected,
    pending: Array.isArray(d.pending) ? d.pending : undefined,
  };
}
