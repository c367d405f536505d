import { documentKey, kindByCollection, validateDocument, type Consumer, type Route, type Ssl, type StreamRoute, type Upstream } from '@sluice/model';
import type { Etcd3 } from 'etcd3';

export function upstreamDocument(id: string, port: number): Upstream {
  return { id, nodes: [{ host: '127.0.0.1', port, weight: 1 }] };
}

export function prefixRoute(id: string, prefix: string, upstreamId: string): Route {
  return { id, match: { paths: [{ type: 'prefix', value: prefix }] }, backends: [{ upstreamId }] };
}

export function exactRoute(id: string, path: string, upstreamId: string): Route {
  return { id, match: { paths: [{ type: 'exact', value: path }] }, backends: [{ upstreamId }] };
}

/** Writes a document straight into etcd after checking it against the shared schema. */
export async function putDocument(
  etcd: Etcd3,
  prefix: string,
  collection: 'routes' | 'upstreams' | 'consumers' | 'ssls' | 'stream-routes',
  doc: Route | Upstream | Consumer | Ssl | StreamRoute,
): Promise<void> {
  const kind = kindByCollection(collection)!;
  const issues = validateDocument(kind, doc);
  if (issues.length) throw new Error(`bench ${collection}/${doc.id} is invalid: ${JSON.stringify(issues)}`);
  await etcd.put(documentKey(prefix, collection, doc.id!)).value(JSON.stringify(doc));
}
