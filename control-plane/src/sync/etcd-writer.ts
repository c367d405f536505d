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
const WRITE_ORDER = ['upstreams', 'ssls', 'listeners', 'consumers', 'global-rules', 'plugin-configs', 'services', 'routes', 'stream-routes'];
const rank = (collection: string) => {
  const i = WRITE_ORDER.indexOf(collection);
  return i === -1 ? WRITE_ORDER.length : i;
};

/** Collections the control plane may own documents in (data-plane registrations are not config). */
const SYNCED_COLLECTIONS = kinds.filter((k) => k.adminWritable).map((k) => k.collection);

const RESYNC_MS = 60_000;

interface Op {
  collection: string;
  id: string;
  /** Undefined for a delete. */
  value?: string;
  /** The mod revision the key must still have (0: must not exist). */
  guard: number;
  /** For a put: the document and its content key, to keep the writer's known state. */
  doc?: Record<string, unknown>;
  canonical?: string;
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

  /**
   * What etcd holds, as of this writer's last successful apply. Re-read from etcd only when
   * it is unknown (start, or after a failed write or a guard that found someone else's edit):
   * an endpoint change then costs a diff, not a read of every document. The guards keep this
   * safe: a stale entry makes its write fail, which drops the cache and re-reads.
   */
  let known: Map<string, Stored> | undefined;
  let knownAt = 0;
  const readOwned = async (): Promise<Map<string, Stored>> => {
    // Re-read at least every minute anyway, so a forced admin edit of a managed document is reconciled.
    if (known && Date.now() - knownAt < RESYNC_MS) return known;
    const current = new Map<string, Stored>();
    for (const collection of SYNCED_COLLECTIONS) {
      for (const stored of await repo.listAll(collection))
        current.set(`${collection}/${stored.id}`, { ...stored, collection, canonical: contentOf(stored.doc) });
    }
    known = current;
    knownAt = Date.now();
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
      const canonical = contentOf(doc);
      if (existing && existing.canonical === canonical) {
        // Unchanged: it was valid when written, so it is not validated again.
        wanted.add(key);
        unchanged++;
        continue;
      }
      const spec = kindByCollection(collection);
      const issues = spec ? validateDocument(spec, doc) : [{ path: '', message: `unknown collection ${collection}` }];
      if (issues.length > 0) {
        warnings.push({ object, message: `invalid ${key} skipped: ${issues[0].path || '/'} ${issues[0].message}` });
        continue;
      }
      wanted.add(key);
      const body = { ...doc, createdAt: (existing?.doc.createdAt as string | undefined) ?? now, updatedAt: now };
      ops.push({ collection, id: doc.id, value: JSON.stringify(body), guard: existing?.modRevision ?? 0, doc: body, canonical });
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
    // Every operation of the transaction took its revision: keep the known state current.
    const revision = Number(res.header.revision);
    for (const op of batch) {
      const k = `${op.collection}/${op.id}`;
      if (op.value === undefined) known?.delete(k);
      else
        known?.set(k, {
          id: op.id,
          collection: op.collection,
          doc: op.doc!,
          modRevision: revision,
          createRevision: known.get(k)?.createRevision ?? revision,
          canonical: op.canonical!,
        });
    }
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
          known = undefined; // whatever happened, what etcd holds is no longer certain
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

type Stored = StoredDocument & { collection: string; canonical: string };

/** Timestamps are the writer's own bookkeeping, not content: they must not make a document look changed. */
function contentOf(doc: Record<string, unknown>): string {
  const { createdAt: _c, updatedAt: _u, ...rest } = doc;
  return canonicalJson(rest);
}

function ownerObject(owner: { kind: string; namespace?: string; name?: string } | undefined, collection: string, id: string): string {
  if (!owner?.name) return `${collection}/${id}`;
  return [owner.kind, owner.namespace, owner.name].filter(Boolean).join('/');
}
