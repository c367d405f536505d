import { kindByCollection, validateDocument, type Route, type Ssl, type Upstream } from '@sluice/model';
import { ownerOf } from './object-ref.js';
import { upstreamIdOf, upstreamKeyOf, type RouteDraft, type UpstreamRef } from './route-draft.js';
import { shortHash } from './short-hash.js';
import type { TranslatedDocument } from './types.js';

/**
 * Route drafts, their upstreams (one per Service port and override set, shared) and ssls
 * become documents, sorted by collection then id. A document that fails its schema is
 * dropped with a warning, so one bad path never blocks the rest.
 */
export function emitDocuments(drafts: RouteDraft[], ssls: Ssl[], warn: (object: string, message: string) => void): TranslatedDocument[] {
  const upstreams = new Map<string, Upstream>();
  const documents: TranslatedDocument[] = [];
  const keep = (collection: string, doc: TranslatedDocument['doc'], object: string): boolean => {
    const issues = validateDocument(kindByCollection(collection)!, doc);
    if (issues.length === 0) return true;
    warn(object, `${doc.name ?? doc.id} is invalid and was left out: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    return false;
  };
  for (const draft of drafts) {
    const route = routeOf(draft);
    const object = `${draft.ownerKind ?? 'Ingress'}/${route.owner!.namespace}/${route.owner!.name}`;
    if (!keep('routes', route as TranslatedDocument['doc'], object)) continue;
    documents.push({ collection: 'routes', doc: route as TranslatedDocument['doc'] });
    for (const ref of [draft.upstream, ...draft.extraUpstreams]) {
      const upstream = upstreamOf(ref);
      if (!upstreams.has(upstream.id)) upstreams.set(upstream.id, upstream);
    }
  }
  for (const upstream of upstreams.values()) documents.push({ collection: 'upstreams', doc: upstream as TranslatedDocument['doc'] });
  for (const ssl of ssls) documents.push({ collection: 'ssls', doc: ssl as TranslatedDocument['doc'] });
  return documents.sort((a, b) => a.collection.localeCompare(b.collection) || a.doc.id.localeCompare(b.doc.id));
}

function routeOf(draft: RouteDraft): Route {
  return {
    id: shortHash(draft.name),
    name: draft.name,
    owner: ownerOf(draft.ownerKind ?? 'Ingress', draft.ingress),
    match: draft.match,
    backends: [{ upstreamId: upstreamIdOf(draft.upstream), weight: 1 }],
    ...(Object.keys(draft.plugins).length ? { plugins: sortKeys(draft.plugins) } : {}),
    ...(draft.timeout ? { timeout: draft.timeout } : {}),
    ...(draft.priority !== undefined ? { priority: draft.priority } : {}),
  };
}

export function upstreamOf(ref: UpstreamRef): Upstream {
  const extras = Object.keys(ref.overrides).sort();
  const name = upstreamKeyOf(ref) === ref.draft.key ? ref.draft.key : `${ref.draft.key} +${extras.join(' +')}`;
  // An Ingress's own balancing (load-balance, upstream-hash-by, affinity) replaces the Service's.
  const ownBalancing = ref.overrides.type !== undefined || ref.overrides.affinity !== undefined;
  const balancing = ownBalancing ? {} : ref.draft.balancing;
  return { id: upstreamIdOf(ref), name: name.slice(0, 256), owner: ref.draft.owner, nodes: ref.draft.nodes, ...sortKeys({ ...balancing, ...ref.overrides }) };
}

function sortKeys<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T;
}
