import {
  canonicalJson,
  keepStoredSecrets,
  kindByCollection,
  redactSecrets,
  validateDocument,
  type ImportError,
  type ImportItem,
  type ImportPlan,
} from '@sluice/model';
import type { Document, EtcdRepo, GuardedPut } from '../store/etcd-repo.js';
import { runtimeIssues, type RuntimeContext } from './runtime-checks.js';

export interface PlannedImport {
  plan: ImportPlan;
  /** The creates and updates, each guarded by the revision it was compared with. */
  writes: (GuardedPut & { before?: Document })[];
}

/**
 * Compares an import with what etcd holds: which documents it creates, updates or leaves
 * as they are, and what is wrong with any of them. Documents are taken exactly as given
 * (timestamps and owner included), so exporting and importing gives back identical
 * documents; only secrets given as the placeholder (an export without secrets) are taken from the stored version.
 */
export async function planImport(repo: EtcdRepo, items: unknown[], runtime?: RuntimeContext): Promise<PlannedImport> {
  const plan: ImportPlan = { create: [], update: [], unchanged: [], errors: [] };
  const writes: PlannedImport['writes'] = [];
  const seen = new Set<string>();
  const accepted: { collection: string; id: string; doc: Document; spec: NonNullable<ReturnType<typeof kindByCollection>> }[] = [];
  const fail = (collection: string, id: string, path: string, message: string) => plan.errors.push({ collection, id, path, message });

  for (const [index, raw] of items.entries()) {
    const item = (raw ?? {}) as Partial<ImportItem>;
    const collection = typeof item.collection === 'string' ? item.collection : '';
    const id = typeof item.id === 'string' ? item.id : '';
    const where = collection && id ? '' : `item ${index}: `;
    const spec = kindByCollection(collection);
    if (!spec || !spec.adminWritable) {
      fail(collection, id, '', `${where}collection ${JSON.stringify(item.collection)} is not a writable document collection`);
      continue;
    }
    if (!id) {
      fail(collection, id, '', `${where}id is required`);
      continue;
    }
    if (!item.document || typeof item.document !== 'object' || Array.isArray(item.document)) {
      fail(collection, id, '', 'document must be an object');
      continue;
    }
    const key = `${collection}/${id}`;
    if (seen.has(key)) {
      fail(collection, id, '', 'appears more than once in the import');
      continue;
    }
    seen.add(key);
    const given = item.document as Document;
    let mismatch = false;
    for (const field of new Set(['id', spec.idField])) {
      if (given[field] !== undefined && given[field] !== id) {
        fail(collection, id, `/${field}`, `is ${JSON.stringify(given[field])}, not the item's id ${id}`);
        mismatch = true;
      }
    }
    if (mismatch) continue;
    const current = await repo.get(collection, id);
    const kept = keepStoredSecrets(spec, { ...given, id, [spec.idField]: id }, current?.doc);
    const doc = kept.doc;
    const issues = kept.issues.length ? kept.issues : validateDocument(spec, doc);
    if (issues.length === 0) issues.push(...(await runtimeIssues(collection, doc, runtime)));
    if (issues.length) {
      for (const issue of issues) fail(collection, id, issue.path, issue.message);
      continue;
    }
    accepted.push({ collection, id, doc, spec });
    if (current && canonicalJson(current.doc) === canonicalJson(doc)) {
      plan.unchanged.push({ collection, id });
    } else if (current) {
      plan.update.push({ collection, id, before: redactSecrets(spec, current.doc), after: redactSecrets(spec, doc) });
      writes.push({ collection, id, doc, ifModRevision: current.modRevision, before: current.doc });
    } else {
      plan.create.push({ collection, id, after: redactSecrets(spec, doc) });
      writes.push({ collection, id, doc, ifModRevision: 0 });
    }
  }

  // A reference may point at a document of the same import or one already stored.
  const exists = new Map<string, boolean>();
  for (const { collection, id, doc, spec } of accepted) {
    for (const ref of spec.references(doc)) {
      const key = `${ref.collection}/${ref.id}`;
      if (!exists.has(key)) exists.set(key, seen.has(key) || (await repo.get(ref.collection, ref.id)) !== undefined);
      if (!exists.get(key)) fail(collection, id, ref.path, `refers to missing ${kindByCollection(ref.collection)?.kind ?? ref.collection} ${ref.id}`);
    }
  }
  return { plan, writes };
}

export type { ImportError };
