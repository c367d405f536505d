import type { Etcd3 } from 'etcd3';
import { canonicalJson, documentKey, isManaged, kindByCollection, kinds, validateDocument, type Owner } from '@sluice/model';
import { createEtcdRepo, type StoredDocument } from '../store/etcd-repo.js';
import { etcdCall } from '../store/etcd-call.js';
import type { TranslateResult, TranslateWarning, TranslatedDocument } from '../translate/types.js';

export interface EtcdWriterOptions {
  /** Told about every document skipped (admin id collision, invalid document). */
  warn?: (warning: TranslateWarning) => void;
  /** Operations per etcd transaction; etcd refuses more than 128 by default (--max-txn-ops). */
  batchSize?: number;
  /** Backoff while etcd is away. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Told about every failed attempt that will be retried (etcd away). */
  onRetry?: (err: Error, attempt: number) => void;
}

export interface ApplyReport {
  put: number;
  deleted: number;
  unchanged: number;
  skipped: number;
  /** Attempts it took (more than 1 when etcd was away or a guard failed). */
  attempts: number;
}

export interface EtcdWriter {
  /** Makes the Kubernetes-owned documents in etcd equal `result.documents`; retries until it did or the writer is closed. */
  apply(result: TranslateResult): Promise<ApplyReport>;
  /** Stops retrying: a pending `apply` rejects. */
  close(): void;
}

/**
 * Referenced kinds are written before the kinds that point at them, and deleted after them, so a
 * worker never sees a route whose upstream is missing, even between two transactions of one sync.
 */
const WRITE_ORDER = ['upstreams', 'ssls', 'consumers', 'global-rules', 'plugin-configs', 'routes', 'stream-routes'];
const rank = (collection: string) => {
  const i = WRITE_ORDER.indexOf(collection);
  return i === -1 ? WRITE_ORDER.length : i;
};

/** Collections the control plane may own documents in (data-plane registrations are not config). */
const SYNCED_COLLECTIONS = kinds.filter((k) => k.adminWritable).map((k) => k.collection);

interface Op {
  collection: string;
  id: string;
  /** Undefined for a delete. */
  value?: string;
  /** The mod revision the key must still have (0: must not exist). */
  guard: number;
}

class GuardFailed extends Error {}
class WriterClosed extends Error {}

/**
 * Syncs translated documents to etcd as a set-diff against what the control plane owns there
 * (STYLE.md principles 6-8): unchanged documents cost nothing, stale ones are deleted, documents
 * owned by `admin` are never touched. Every write is guarded by the mod revision it was diffed
 * against, so a concurrent admin edit makes the writer re-read instead of overwriting it.
 */
export function createEtcdWriter(client: Etcd3, prefix: string, options: EtcdWriterOptions = {}): EtcdWriter {
  const { warn = () => {}, batchSize = 100, retryMinMs = 100, retryMaxMs = 5_000, onRetry } = options;
  const repo = createEtcdRepo(client, prefix);
  let closed = false;
  let wakeUp: (() => void) | undefined;

  const readOwned = async () => {
    const current = new Map<string, StoredDocument & { collection: string }>();
    for (const collection of SYNCED_COLLECTIONS) {
      for (const stored of await repo.listAll(collection)) current.set(`${collection}/${stored.id}`, { ...stored, collection });
    }
    return current;
  };

  const diff = (desired: readonly TranslatedDocument[], current: Awaited<ReturnType<typeof readOwned>>) => {
    const ops: Op[] = [];
    const warnings: TranslateWarning[] = [];
    let unchanged = 0;
    const wanted = new Set<string>();
    const now = new Date().toISOString();
    for (const { collection, doc } of desired) {
      const key = `${collection}/${doc.id}`;
      const object = ownerObject(doc.owner, collection, doc.id);
      const existing = current.get(key);
      if (existing && !isManaged(existing.doc as { owner?: Owner })) {
        warnings.push({ object, message: `${key} already exists and belongs to the admin API; it is left alone and this document is skipped` });
        continue;
      }
      const spec = kindByCollection(collection);
      const issues = spec ? validateDocument(spec, doc) : [{ path: '', message: `unknown collection ${collection}` }];
      if (issues.length > 0) {
        warnings.push({ object, message: `invalid ${key} skipped: ${issues[0].path || '/'} ${issues[0].message}` });
        continue;
      }
      wanted.add(key);
      if (existing && sameContent(existing.doc, doc)) {
        unchanged++;
        continue;
      }
      const body = { ...doc, createdAt: (existing?.doc.createdAt as string | undefined) ?? now, updatedAt: now };
      ops.push({ collection, id: doc.id, value: JSON.stringify(body), guard: existing?.modRevision ?? 0 });
    }
    const deletes: Op[] = [];
    for (const [key, stored] of current) {
      if (!wanted.has(key) && isManaged(stored.doc as { owner?: Owner })) {
        deletes.push({ collection: stored.collection, id: stored.id, guard: stored.modRevision });
      }
    }
    ops.sort((a, b) => rank(a.collection) - rank(b.collection));
    deletes.sort((a, b) => rank(b.collection) - rank(a.collection));
    return { ops: [...ops, ...deletes], warnings, unchanged, puts: ops.length, deletes: deletes.length };
  };

  const commit = async (batch: Op[]) => {
    const key = (op: Op) => documentKey(prefix, op.collection, op.id);
    const [first, ...rest] = batch;
    const txn = first.guard === 0 ? client.if(key(first), 'Create', '==', 0) : client.if(key(first), 'Mod', '==', first.guard);
    for (const op of rest) {
      if (op.guard === 0) txn.and(key(op), 'Create', '==', 0);
      else txn.and(key(op), 'Mod', '==', op.guard);
    }
    txn.then(...batch.map((op) => (op.value === undefined ? client.delete().key(key(op)) : client.put(key(op)).value(op.value))));
    const res = await etcdCall(() => txn.commit());
    if (!res.succeeded) throw new GuardFailed('a document changed since it was read');
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    async apply(result) {
      let delay = retryMinMs;
      for (let attempts = 1; ; attempts++) {
        if (closed) throw new WriterClosed('etcd writer closed');
        try {
          const plan = diff(result.documents, await readOwned());
          // Batches go out in order; the first sync thus reaches workers with every reference resolvable.
          for (let i = 0; i < plan.ops.length; i += batchSize) await commit(plan.ops.slice(i, i + batchSize));
          plan.warnings.forEach(warn);
          return { put: plan.puts, deleted: plan.deletes, unchanged: plan.unchanged, skipped: plan.warnings.length, attempts };
        } catch (err) {
          if (closed) throw new WriterClosed('etcd writer closed');
          // A failed guard means someone else wrote in between: re-read at once. Anything else is etcd being away.
          if (err instanceof GuardFailed) continue;
          onRetry?.(err as Error, attempts);
          await pause(delay);
          delay = Math.min(delay * 2, retryMaxMs);
        }
      }
    },
    close() {
      closed = true;
      wakeUp?.();
    },
  };
}

/** Timestamps are the writer's own bookkeeping, not content: they must not make a document look changed. */
function sameContent(stored: Record<string, unknown>, desired: Record<string, unknown>): boolean {
  const strip = ({ createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;
  return canonicalJson(strip(stored)) === canonicalJson(strip(desired));
}

function ownerObject(owner: { kind: string; namespace?: string; name?: string } | undefined, collection: string, id: string): string {
  if (!owner?.name) return `${collection}/${id}`;
  return [owner.kind, owner.namespace, owner.name].filter(Boolean).join('/');
}
