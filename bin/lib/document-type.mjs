import { kinds } from '@sluice/model';
import { UsageError } from './usage-error.mjs';

/**
 * The collection a typed document type names: the collection itself (`routes`, `stream-routes`)
 * or its singular (`route`, `stream-route`), as kubectl takes `pods` and `pod`. Anything else is
 * a usage error listing the types.
 */
export function collectionOf(type) {
  const wanted = String(type).toLowerCase();
  const kind = kinds.find((k) => k.collection === wanted || k.kind.replace(/ /g, '-') === wanted);
  if (!kind) throw new UsageError(`unknown document type "${type}"; types: ${kinds.map((k) => k.collection).join(', ')}`);
  return kind.collection;
}

/** The key of a stored document: its id (consumers: username). */
export const documentId = (collection, doc) => String(kinds.find((k) => k.collection === collection)?.idField === 'username' ? doc.username : doc.id);
