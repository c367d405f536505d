import { kindByCollection, validateDocument, type KindSpec } from '@sluice/model';
import type { FieldTable } from './apisix-fields.js';
import { camelToSnake, IssueList, type ApisixIssue } from './apisix-issue.js';
import {
  CONSUMER_FIELDS,
  consumerToApisix,
  consumerToSluice,
  PLUGINS_ONLY_FIELDS,
  pluginsDocToApisix,
  pluginsDocToSluice,
  SSL_FIELDS,
  sslToApisix,
  sslToSluice,
  STREAM_ROUTE_FIELDS,
  streamRouteToApisix,
  streamRouteToSluice,
  UPSTREAM_FIELDS,
  upstreamDocToApisix,
  upstreamDocToSluice,
} from './apisix-documents.js';
import { ROUTE_FIELDS, routeToApisix, routeToSluice, SERVICE_FIELDS, serviceToApisix, serviceToSluice } from './apisix-route.js';

type Obj = Record<string, any>;

/** One APISIX resource and the Sluice collection that carries it. */
export interface ApisixResource {
  /** APISIX's name: the admin API path segment, the etcd key segment and the standalone file's key. */
  name: string;
  /** APISIX's singular, for its messages ("route"). */
  kind: string;
  collection: string;
  fields: FieldTable;
  toSluice(doc: Obj, id: string, issues: IssueList): Obj;
  toApisix(doc: Obj, unsaid: (what: string) => void): Obj;
}

/** The resources of APISIX's admin API Sluice serves, in the order a standalone file is applied (referenced ones first). */
export const APISIX_RESOURCES: readonly ApisixResource[] = [
  {
    name: 'upstreams',
    kind: 'upstream',
    collection: 'upstreams',
    fields: UPSTREAM_FIELDS,
    toSluice: (d, _id, i) => upstreamDocToSluice(d, i),
    toApisix: (d) => upstreamDocToApisix(d),
  },
  { name: 'ssls', kind: 'ssl', collection: 'ssls', fields: SSL_FIELDS, toSluice: (d, _id, i) => sslToSluice(d, i), toApisix: sslToApisix },
  { name: 'consumers', kind: 'consumer', collection: 'consumers', fields: CONSUMER_FIELDS, toSluice: consumerToSluice, toApisix: consumerToApisix },
  {
    name: 'plugin_configs',
    kind: 'plugin config',
    collection: 'plugin-configs',
    fields: PLUGINS_ONLY_FIELDS,
    toSluice: (d, _id, i) => pluginsDocToSluice(d, i, 'plugin-config'),
    toApisix: (d, u) => pluginsDocToApisix(d, 'plugin-config', u),
  },
  {
    name: 'global_rules',
    kind: 'global rule',
    collection: 'global-rules',
    fields: PLUGINS_ONLY_FIELDS,
    toSluice: (d, _id, i) => pluginsDocToSluice(d, i, 'global-rule'),
    toApisix: (d, u) => pluginsDocToApisix(d, 'global-rule', u),
  },
  {
    name: 'services',
    kind: 'service',
    collection: 'services',
    fields: SERVICE_FIELDS,
    toSluice: (d, _id, i) => serviceToSluice(d, i),
    toApisix: serviceToApisix,
  },
  { name: 'routes', kind: 'route', collection: 'routes', fields: ROUTE_FIELDS, toSluice: (d, _id, i) => routeToSluice(d, i), toApisix: routeToApisix },
  {
    name: 'stream_routes',
    kind: 'stream route',
    collection: 'stream-routes',
    fields: STREAM_ROUTE_FIELDS,
    toSluice: (d, _id, i) => streamRouteToSluice(d, i),
    toApisix: streamRouteToApisix,
  },
];

const byName = new Map(APISIX_RESOURCES.map((r) => [r.name, r]));
const byCollection = new Map(APISIX_RESOURCES.map((r) => [r.collection, r]));

export function apisixResource(name: string): ApisixResource | undefined {
  return byName.get(name);
}

export function apisixResourceOf(collection: string): ApisixResource | undefined {
  return byCollection.get(collection);
}

export interface FromApisix {
  /** The Sluice document (id set, no owner or timestamps), when nothing stood in the way. */
  doc?: Obj;
  issues: ApisixIssue[];
}

/**
 * An APISIX document → the Sluice document that carries it, checked by the model's schema too,
 * with every issue named by its APISIX field (snake_case paths), so a client sees what to fix
 * in what it sent.
 */
export function fromApisix(resource: ApisixResource, id: string, body: Obj): FromApisix {
  const issues = new IssueList();
  const converted = resource.toSluice(body, id, issues);
  if (issues.items.length) return { issues: issues.items };
  const spec = kindByCollection(resource.collection) as KindSpec;
  const doc = { ...converted, id, [spec.idField]: id };
  const found = validateDocument(spec, doc);
  if (found.length) return { issues: found.map((i) => ({ field: apisixFieldOf(i.path), message: i.message })) };
  return { doc, issues: [] };
}

/** A Sluice document → APISIX's, with `id` (and what APISIX cannot say, reported to `unsaid`). */
export function toApisix(resource: ApisixResource, doc: Obj, unsaid: (what: string) => void = () => {}): Obj {
  const spec = kindByCollection(resource.collection) as KindSpec;
  const body = resource.toApisix(doc, unsaid);
  return resource.name === 'consumers' ? body : { id: String(doc[spec.idField]), ...body };
}

/** Sluice fields whose APISIX name is not just their snake_case. */
const APISIX_NAMES: Readonly<Record<string, string>> = {
  '/match/hosts': '/hosts',
  '/match/paths': '/uris',
  '/match/methods': '/methods',
  '/match/headers': '/vars',
  '/match/query': '/vars',
  '/backends': '/upstream_id',
  '/websocket': '/enable_websocket',
  '/listenPort': '/server_port',
  '/remoteAddrs': '/remote_addr',
  '/clientCa': '/client/ca',
};

/** `/plugins/limit-count/timeWindow` → `plugins.limit-count.time_window`, `/match/hosts/0` → `hosts[0]`. */
function apisixFieldOf(pointer: string): string {
  const renamed = Object.entries(APISIX_NAMES).find(([ours]) => pointer === ours || pointer.startsWith(`${ours}/`));
  const apisixPointer = renamed ? renamed[1] + pointer.slice(renamed[0].length) : pointer;
  const parts = apisixPointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : `${out ? '.' : ''}${camelToSnake(part)}`;
  return out || '(document)';
}
