import type { Collection } from '../api/client';

type Doc = Record<string, any>;

/** A one-line description of a document for its list row. */
export function documentSummary(collection: Collection, doc: Doc): string {
  switch (collection) {
    case 'routes': {
      const hosts = (doc.match?.hosts ?? []).join(', ') || 'any host';
      const paths = (doc.match?.paths ?? []).map((p: Doc) => `${p.type} ${p.value}`).join(', ') || 'any path';
      const to = (doc.backends ?? []).map((b: Doc) => `${b.upstreamId}${b.weight !== undefined ? `×${b.weight}` : ''}`).join(', ');
      return `${hosts} · ${paths}${to ? ` → ${to}` : doc.upstream ? ' → inline upstream' : ''}`;
    }
    case 'upstreams':
      return `${doc.type ?? 'roundrobin'} · ${(doc.nodes ?? []).map((n: Doc) => `${n.host}:${n.port}`).join(', ')}`;
    case 'ssls':
      return (doc.snis ?? []).join(', ');
    case 'stream-routes':
      return `${doc.protocol ?? 'tcp'} :${doc.listenPort ?? '?'}${doc.sni ? ` sni ${doc.sni}` : ''}`;
    default:
      return Object.keys(doc.plugins ?? {}).join(', ');
  }
}
