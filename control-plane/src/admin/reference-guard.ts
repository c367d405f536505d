import { kinds, kindByCollection, type KindSpec, type Reference } from '@sluice/model';
import type { Document, EtcdRepo } from '../store/etcd-repo.js';

/** A document that points at another one. */
export interface Referrer {
  collection: string;
  id: string;
  path: string;
}

/** The references of `doc` whose target does not exist, in document order. */
export async function missingReferences(repo: EtcdRepo, spec: KindSpec, doc: Document): Promise<Reference[]> {
  const refs = spec.references(doc);
  const unique = [...new Map(refs.map((r) => [`${r.collection}/${r.id}`, r])).values()];
  const found = await Promise.all(unique.map((r) => repo.get(r.collection, r.id)));
  const missing = new Set(unique.filter((_, i) => !found[i]).map((r) => `${r.collection}/${r.id}`));
  return refs.filter((r) => missing.has(`${r.collection}/${r.id}`));
}

/**
 * Every document that refers to `collection/id`. The registry says what each document points
 * at only by reading it, so this scans every collection: fine for an admin write, never a hot path.
 */
export async function findReferrers(repo: EtcdRepo, collection: string, id: string): Promise<Referrer[]> {
  const perKind = await Promise.all(
    kinds.map(async (spec) => {
      const docs = await repo.listAll(spec.collection);
      return docs.flatMap((stored) =>
        safeReferences(spec, stored.doc)
          .filter((r) => r.collection === collection && r.id === id)
          .map((r) => ({ collection: spec.collection, id: stored.id, path: r.path })),
      );
    }),
  );
  return perKind.flat();
}

export function describeReferrers(referrers: Referrer[]): string {
  return referrers.map((r) => `${kindByCollection(r.collection)?.kind ?? r.collection} ${r.id} (${r.path})`).join(', ');
}

/** A stored document may be malformed; it then refers to nothing we can read. */
function safeReferences(spec: KindSpec, doc: Document): Reference[] {
  try {
    return spec.references(doc);
  } catch {
    return [];
  }
}
