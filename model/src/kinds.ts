import type { TSchema } from '@sinclair/typebox';
import { Route } from './route.js';
import { Upstream, InlineUpstream, type UpstreamNode } from './upstream.js';
import { Ssl } from './ssl.js';
import { StreamRoute } from './stream-route.js';
import { Listener } from './listener.js';
import { Consumer } from './consumer.js';
import { PluginConfig, GlobalRule } from './plugin-config.js';
import { DataplaneStatus } from './dataplane.js';
import { pluginIssues, pluginUpstreamRefs } from './plugin-issues.js';
import type { PluginAttachment } from './plugin-spec.js';
import { hostIssue, regexIssue, validateSchema, type ValidationIssue } from './validate.js';

/** A document's reference to another document, used for reference checks and delete guards. */
export interface Reference {
  collection: string;
  id: string;
  path: string;
}

/**
 * One entry per kind drives the generic code: admin CRUD, etcd keys, validation on both ends,
 * reference and delete guards, the dashboard client (STYLE.md principle 5).
 */
export interface KindSpec {
  /** Singular name used in messages: "route". */
  kind: string;
  /** Plural etcd collection and admin API path segment: "routes". */
  collection: string;
  schema: TSchema;
  /** Field that holds the key (consumers are keyed by username). */
  idField: 'id' | 'username';
  /** False for documents only the system writes (data-plane registrations). */
  adminWritable: boolean;
  /** Kinds with a `plugins` map: how their plugin configs are attached (which schema they follow). */
  plugins?: PluginAttachment;
  /** Cross-field rules the schema cannot say (plugin configs are checked by `plugins`). */
  check(doc: Record<string, unknown>): ValidationIssue[];
  /** Documents this one points at. */
  references(doc: Record<string, unknown>): Reference[];
}

type Doc = Record<string, any>;

function upstreamIssues(u: Doc, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (u.type === 'chash') {
    if (!u.hashOn) issues.push({ path: `${base}/hashOn`, message: 'is required when type is chash' });
    if ((u.hashOn === 'header' || u.hashOn === 'cookie') && !u.key)
      issues.push({ path: `${base}/key`, message: `is required when hashOn is ${u.hashOn}` });
  }
  if (u.passHost === 'rewrite' && !u.upstreamHost)
    issues.push({ path: `${base}/upstreamHost`, message: 'is required when passHost is rewrite' });
  const seen = new Set<string>();
  (u.nodes as UpstreamNode[] | undefined)?.forEach((n, i) => {
    const k = `${n.host}:${n.port}`;
    if (seen.has(k)) issues.push({ path: `${base}/nodes/${i}`, message: `duplicates node ${k}` });
    seen.add(k);
  });
  return issues;
}

function matchIssues(doc: Doc): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const m = doc.match ?? {};
  (m.hosts ?? []).forEach((h: string, i: number) => issues.push(...hostIssue(`/match/hosts/${i}`, h)));
  (m.paths ?? []).forEach((p: Doc, i: number) => {
    if (p.type === 'regex') issues.push(...regexIssue(`/match/paths/${i}/value`, p.value));
    else if (!String(p.value).startsWith('/')) issues.push({ path: `/match/paths/${i}/value`, message: 'must start with /' });
  });
  for (const field of ['headers', 'query'] as const) {
    (m[field] ?? []).forEach((h: Doc, i: number) => {
      const t = h.type ?? 'exact';
      if (t === 'regex') issues.push(...regexIssue(`/match/${field}/${i}/value`, h.value));
      if (t === 'exact' && h.value === undefined)
        issues.push({ path: `/match/${field}/${i}/value`, message: 'is required for type exact' });
    });
  }
  return issues;
}

function backendIssues(doc: Doc): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (doc.backends?.length && doc.upstream)
    issues.push({ path: '/upstream', message: 'cannot be set together with backends' });
  if (doc.upstream) issues.push(...upstreamIssues(doc.upstream, '/upstream'));
  return issues;
}

function listenerRefs(doc: Doc): Reference[] {
  const ids: string[] = doc.listeners ?? (doc.listener ? [doc.listener] : []);
  return ids.map((id, i) => ({ collection: 'listeners', id, path: doc.listeners ? `/listeners/${i}` : '/listener' }));
}

function backendRefs(doc: Doc): Reference[] {
  return ((doc.backends ?? []) as Doc[]).map((b, i) => ({
    collection: 'upstreams',
    id: b.upstreamId,
    path: `/backends/${i}/upstreamId`,
  }));
}

const none = (): never[] => [];

export const kinds: readonly KindSpec[] = [
  {
    kind: 'route',
    collection: 'routes',
    schema: Route,
    idField: 'id',
    adminWritable: true,
    plugins: 'route',
    check: (doc) => [...matchIssues(doc), ...backendIssues(doc)],
    references: (doc: Doc) => [
      ...backendRefs(doc),
      ...pluginUpstreamRefs(doc),
      ...(doc.pluginConfigId ? [{ collection: 'plugin-configs', id: doc.pluginConfigId, path: '/pluginConfigId' }] : []),
      ...listenerRefs(doc),
    ],
  },
  {
    kind: 'upstream',
    collection: 'upstreams',
    schema: Upstream,
    idField: 'id',
    adminWritable: true,
    check: (doc) => upstreamIssues(doc, ''),
    references: none,
  },
  {
    kind: 'ssl',
    collection: 'ssls',
    schema: Ssl,
    idField: 'id',
    adminWritable: true,
    check: (doc: Doc) => (doc.snis ?? []).flatMap((h: string, i: number) => hostIssue(`/snis/${i}`, h)),
    references: none,
  },
  {
    kind: 'stream route',
    collection: 'stream-routes',
    schema: StreamRoute,
    idField: 'id',
    adminWritable: true,
    plugins: 'stream-route',
    check: (doc: Doc) => [
      ...backendIssues(doc),
      ...(doc.sni && doc.protocol === 'udp' ? [{ path: '/sni', message: 'is not possible with protocol udp' }] : []),
    ],
    references: (doc: Doc) => [...backendRefs(doc), ...listenerRefs(doc)],
  },
  {
    kind: 'listener',
    collection: 'listeners',
    schema: Listener,
    idField: 'id',
    adminWritable: true,
    check: (doc: Doc) => [
      ...(doc.hostname ? hostIssue('/hostname', doc.hostname) : []),
      ...((doc.protocol === 'HTTPS' || doc.protocol === 'TLS') && !doc.tls ? [{ path: '/tls', message: `is required for protocol ${doc.protocol}` }] : []),
      ...(doc.tls && doc.protocol !== 'HTTPS' && doc.protocol !== 'TLS' ? [{ path: '/tls', message: `is not possible with protocol ${doc.protocol}` }] : []),
    ],
    references: (doc: Doc) => ((doc.tls?.sslIds ?? []) as string[]).map((id, i) => ({ collection: 'ssls', id, path: `/tls/sslIds/${i}` })),
  },
  {
    kind: 'consumer',
    collection: 'consumers',
    schema: Consumer,
    idField: 'username',
    adminWritable: true,
    plugins: 'consumer',
    check: (doc: Doc) => (doc.id !== undefined && doc.id !== doc.username ? [{ path: '/id', message: 'must equal username' }] : []),
    references: none,
  },
  {
    kind: 'plugin config',
    collection: 'plugin-configs',
    schema: PluginConfig,
    idField: 'id',
    adminWritable: true,
    plugins: 'plugin-config',
    check: none,
    references: pluginUpstreamRefs,
  },
  {
    kind: 'global rule',
    collection: 'global-rules',
    schema: GlobalRule,
    idField: 'id',
    adminWritable: true,
    plugins: 'global-rule',
    check: none,
    references: none,
  },
  {
    kind: 'dataplane',
    collection: 'dataplanes',
    schema: DataplaneStatus,
    idField: 'id',
    adminWritable: false,
    check: none,
    references: none,
  },
];

const byCollection = new Map(kinds.map((k) => [k.collection, k]));

export function kindByCollection(collection: string): KindSpec | undefined {
  return byCollection.get(collection);
}

/** Full check of a document: schema first, then cross-field rules and plugin configs when the shape is right. */
export function validateDocument(spec: KindSpec, doc: unknown): ValidationIssue[] {
  const issues = validateSchema(spec.schema, doc);
  if (issues.length) return issues;
  const checked = spec.check(doc as Record<string, unknown>);
  return spec.plugins ? [...checked, ...pluginIssues(doc as Record<string, unknown>, spec.plugins)] : checked;
}

export { InlineUpstream };
