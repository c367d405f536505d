import type { TSchema } from '@sinclair/typebox';
import { kindNameByCollection, type KindName } from './kind-names.js';
import { Route } from './route.js';
import { Upstream, InlineUpstream, type UpstreamNode } from './upstream.js';
import { Ssl } from './ssl.js';
import { StreamRoute } from './stream-route.js';
import { Listener } from './listener.js';
import { Consumer } from './consumer.js';
import { PluginConfig, GlobalRule } from './plugin-config.js';
import { Service } from './service.js';
import { DataplaneStatus } from './dataplane.js';
import { pluginIssues, pluginUpstreamRefs } from './plugin-issues.js';
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
export interface KindSpec extends KindName {
  schema: TSchema;
  /** Cross-field rules the schema cannot say (plugin configs are checked by `plugins`). */
  check(doc: Record<string, unknown>): ValidationIssue[];
  /** Documents this one points at. */
  references(doc: Record<string, unknown>): Reference[];
}

/** The names of `collection` (kind-names.ts), which every entry below starts from. */
function named(collection: string): KindName {
  const name = kindNameByCollection(collection);
  if (!name) throw new Error(`kind-names.ts has no ${collection}`);
  return name;
}

type Doc = Record<string, any>;

function upstreamIssues(u: Doc, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (u.type === 'chash') {
    if (!u.hashOn) issues.push({ path: `${base}/hashOn`, message: 'is required when type is chash' });
    if ((u.hashOn === 'header' || u.hashOn === 'cookie') && !u.key) issues.push({ path: `${base}/key`, message: `is required when hashOn is ${u.hashOn}` });
  }
  if (u.passHost === 'rewrite' && !u.upstreamHost) issues.push({ path: `${base}/upstreamHost`, message: 'is required when passHost is rewrite' });
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
      if (t === 'exact' && h.value === undefined) issues.push({ path: `/match/${field}/${i}/value`, message: 'is required for type exact' });
    });
  }
  return issues;
}

function backendIssues(doc: Doc): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (doc.backends?.length && doc.upstream) issues.push({ path: '/upstream', message: 'cannot be set together with backends' });
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
    ...named('routes'),
    schema: Route,
    check: (doc) => [...matchIssues(doc), ...backendIssues(doc)],
    references: (doc: Doc) => [
      ...backendRefs(doc),
      ...pluginUpstreamRefs(doc),
      ...(doc.pluginConfigId ? [{ collection: 'plugin-configs', id: doc.pluginConfigId, path: '/pluginConfigId' }] : []),
      ...(doc.serviceId ? [{ collection: 'services', id: doc.serviceId, path: '/serviceId' }] : []),
      ...listenerRefs(doc),
    ],
  },
  {
    ...named('services'),
    schema: Service,
    // A service's plugins are route plugins the routes naming it inherit.
    check: (doc: Doc) => [...(doc.hosts ?? []).flatMap((h: string, i: number) => hostIssue(`/hosts/${i}`, h)), ...backendIssues(doc)],
    references: (doc: Doc) => [...backendRefs(doc), ...pluginUpstreamRefs(doc)],
  },
  {
    ...named('upstreams'),
    schema: Upstream,
    check: (doc) => upstreamIssues(doc, ''),
    references: none,
  },
  {
    ...named('ssls'),
    schema: Ssl,
    check: (doc: Doc) => (doc.snis ?? []).flatMap((h: string, i: number) => hostIssue(`/snis/${i}`, h)),
    references: none,
  },
  {
    ...named('stream-routes'),
    schema: StreamRoute,
    check: (doc: Doc) => [
      ...backendIssues(doc),
      ...(doc.sni && doc.protocol === 'udp' ? [{ path: '/sni', message: 'is not possible with protocol udp' }] : []),
    ],
    references: (doc: Doc) => [...backendRefs(doc), ...listenerRefs(doc)],
  },
  {
    ...named('listeners'),
    schema: Listener,
    check: (doc: Doc) => [
      ...(doc.hostname ? hostIssue('/hostname', doc.hostname) : []),
      ...((doc.protocol === 'HTTPS' || doc.protocol === 'TLS') && !doc.tls ? [{ path: '/tls', message: `is required for protocol ${doc.protocol}` }] : []),
      ...(doc.tls && doc.protocol !== 'HTTPS' && doc.protocol !== 'TLS' ? [{ path: '/tls', message: `is not possible with protocol ${doc.protocol}` }] : []),
    ],
    references: (doc: Doc) => ((doc.tls?.sslIds ?? []) as string[]).map((id, i) => ({ collection: 'ssls', id, path: `/tls/sslIds/${i}` })),
  },
  {
    ...named('consumers'),
    schema: Consumer,
    check: (doc: Doc) => (doc.id !== undefined && doc.id !== doc.username ? [{ path: '/id', message: 'must equal username' }] : []),
    references: none,
  },
  {
    ...named('plugin-configs'),
    schema: PluginConfig,
    check: none,
    references: pluginUpstreamRefs,
  },
  {
    ...named('global-rules'),
    schema: GlobalRule,
    check: none,
    references: none,
  },
  {
    ...named('dataplanes'),
    schema: DataplaneStatus,
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
