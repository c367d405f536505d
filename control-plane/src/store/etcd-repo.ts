import { GRPCOutOfRangeError, Range, type Etcd3, type IKeyValue } from 'etcd3';
import { GatewayError, collectionPrefix, documentKey, kindByCollection } from '@sluice/model';
import { DEFAULT_ETCD_TIMEOUT_MS, etcdCall } from './etcd-call.js';

export type Document = Record<string, unknown>;

/** A document as stored, with the etcd revisions that version it. */
export interface StoredDocument<T extends Document = Document> {
  id: string;
  doc: T;
  modRevision: number;
  createRevision: number;
}

export interface ListOptions {
  limit: number;
  /** Start after this id (ids sort by key bytes, as etcd returns them). */
  continueFrom?: string;
}

export interface ListPage {
  items: StoredDocument[];
  /** More keys follow the last item. */
  more: boolean;
}

export interface PutOptions {
  /** Write only if the key is still at this mod revision (optimistic concurrency). */
  ifModRevision?: number;
  /** Write only if the key does not exist (create). */
  mustNotExist?: boolean;
}

export interface GuardedPut {
  collection: string;
  id: string;
  doc: Document;
  /** The mod revision the document was read at; 0 when it must not exist. */
  ifModRevision: number;
}

export interface DeleteOptions {
  ifModRevision?: number;
}

export interface EtcdRepo {
  readonly prefix: string;
  get(collection: string, id: string): Promise<StoredDocument | undefined>;
  /** The version of a document written at exactly `modRevision`, if etcd still has it. */
  getVersion(collection: string, id: string, modRevision: number): Promise<StoredDocument | undefined>;
  list(collection: string, options: ListOptions): Promise<ListPage>;
  /** Every document of a collection, read page by page. */
  listAll(collection: string): Promise<StoredDocument[]>;
  count(collection: string): Promise<number>;
  /** Returns the new mod revision. Throws GW_ERR_CONFLICT / GW_ERR_ALREADY_EXISTS when a guard fails. */
  put(collection: string, id: string, doc: Document, options?: PutOptions): Promise<number>;
  /** Returns false when there was nothing to delete. */
  delete(collection: string, id: string, options?: DeleteOptions): Promise<boolean>;
  /** Like delete, but returns the revision of the delete (undefined when there was nothing to delete). */
  deleteRevision(collection: string, id: string, options?: DeleteOptions): Promise<number | undefined>;
  /**
   * Writes several documents in ONE transaction, each guarded by the mod revision it was read
   * at (0 = must not exist): all or nothing. Throws GW_ERR_CONFLICT naming no document when a
   * guard fails. Returns the revision.
   */
  putAll(writes: GuardedPut[]): Promise<number>;
  /** Earlier versions of the current incarnation, newest first (at most `max`). */
  history(collection: string, id: string, max?: number): Promise<StoredDocument[] | undefined>;
}

export interface EtcdRepoOptions {
  timeoutMs?: number;
}

const PAGE_SIZE = 1000;
const HISTORY_DEPTH = 20;

/** Typed CRUD over etcd. Guards are etcd transactions, so two writers can never both win. */
export function createEtcdRepo(client: Etcd3, prefix: string, options: EtcdRepoOptions = {}): EtcdRepo {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  const call = <T>(op: () => Promise<T>) => etcdCall(op, timeoutMs);
  const kindName = (collection: string) => kindByCollection(collection)?.kind ?? collection;

  const toStored = (collection: string, kv: IKeyValue): StoredDocument => {
    const id = kv.key.toString().slice(collectionPrefix(prefix, collection).length);
    return { id, doc: decode(id, kv.value), modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) };
  };

  const readAt = async (collection: string, id: string, revision?: number) => {
    const builder = client.get(documentKey(prefix, collection, id));
    if (revision !== undefined) builder.revision(revision);
    const res = await call(() => builder.exec());
    const kv = res.kvs[0];
    return kv ? toStored(collection, kv) : undefined;
  };

  const list = async (collection: string, { limit, continueFrom }: ListOptions): Promise<ListPage> => {
    const base = collectionPrefix(prefix, collection);
    const end = Range.prefix(base).end;
    // A NUL after the last id is the smallest key that sorts after it.
    const start = continueFrom === undefined ? base : `${base}${continueFrom}\0`;
    const res = await call(() => client.getAll().inRange(new Range(start, end)).limit(limit).exec());
    return { items: res.kvs.map((kv) => toStored(collection, kv)), more: res.more };
  };

  return {
    prefix,
    get: (collection, id) => readAt(collection, id),

    async getVersion(collection, id, modRevision) {
      try {
        const found = await readAt(collection, id, modRevision);
        return found?.modRevision === modRevision ? found : undefined;
      } catch (err) {
        if (isCompactedOrFuture(err)) return undefined;
        throw err;
      }
    },

    list,

    async listAll(collection) {
      const all: StoredDocument[] = [];
      let continueFrom: string | undefined;
      for (;;) {
        const page = await list(collection, { limit: PAGE_SIZE, continueFrom });
        all.push(...page.items);
        if (!page.more || page.items.length === 0) return all;
        continueFrom = page.items[page.items.length - 1].id;
      }
    },

    count: (collection) => call(() => client.getAll().prefix(collectionPrefix(prefix, collection)).count()),

    async put(collection, id, doc, { ifModRevision, mustNotExist } = {}) {
      const key = documentKey(prefix, collection, id);
      const value = JSON.stringify(doc);
      if (ifModRevision === undefined && !mustNotExist) {
        const res = await call(() => client.put(key).value(value).exec());
        return Number(res.header.revision);
      }
      const txn = mustNotExist ? client.if(key, 'Create', '==', 0) : client.if(key, 'Mod', '==', ifModRevision!);
      const res = await call(() => txn.then(client.put(key).value(value)).else(client.get(key)).commit());
      if (res.succeeded) return Number(res.header.revision);
      const current = res.responses[0]?.response_range?.kvs?.[0];
      if (mustNotExist) throw new GatewayError('GW_ERR_ALREADY_EXISTS', { kind: kindName(collection), id });
      throw conflict(kindName(collection), id, ifModRevision!, current);
    },

    async delete(collection, id, options = {}) {
      return (await this.deleteRevision(collection, id, options)) !== undefined;
    },

    async deleteRevision(collection, id, { ifModRevision } = {}) {
      const key = documentKey(prefix, collection, id);
      if (ifModRevision === undefined) {
        const res = await call(() => client.delete().key(key).exec());
        return Number(res.deleted) > 0 ? Number(res.header.revision) : undefined;
      }
      const res = await call(() => client.if(key, 'Mod', '==', ifModRevision).then(client.delete().key(key)).else(client.get(key)).commit());
      if (res.succeeded) return Number(res.header.revision);
      const current = res.responses[0]?.response_range?.kvs?.[0];
      if (!current) return undefined;
      throw conflict(kindName(collection), id, ifModRevision, current);
    },

    async putAll(writes) {
      if (writes.length === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'nothing to write' });
      const keys = writes.map((w) => documentKey(prefix, w.collection, w.id));
      let txn = client.if(keys[0], 'Mod', '==', writes[0].ifModRevision);
      for (let i = 1; i < writes.length; i++) txn = txn.and(keys[i], 'Mod', '==', writes[i].ifModRevision);
      const res = await call(() => txn.then(...writes.map((w, i) => client.put(keys[i]).value(JSON.stringify(w.doc)))).commit());
      if (!res.succeeded) {
        throw new GatewayError('GW_ERR_CONFLICT', {
          kind: 'import',
          id: '',
          expected: 'the documents as previewed',
          actual: 'a newer version of at least one',
        });
      }
      return Number(res.header.revision);
    },

    async history(collection, id, max = HISTORY_DEPTH) {
      const current = await readAt(collection, id);
      if (!current) return undefined;
      const versions: StoredDocument[] = [];
      // Each version's predecessor is whatever the key held one revision before it was written;
      // the walk stops at the creation of this incarnation or at etcd's compaction horizon.
      let revision = current.modRevision - 1;
      while (versions.length < max && revision >= current.createRevision) {
        let older: StoredDocument | undefined;
        try {
          older = await readAt(collection, id, revision);
        } catch (err) {
          if (isCompactedOrFuture(err)) break;
          throw err;
        }
        if (!older) break;
        versions.push(older);
        revision = older.modRevision - 1;
      }
      return versions;
    },
  };
}

function conflict(kind: string, id: string, expected: number, current: IKeyValue | undefined): GatewayError {
  const actual = current ? Number(current.mod_revision) : 'none (it does not exist)';
  return new GatewayError('GW_ERR_CONFLICT', { kind, id, expected, actual }, { expected, actual: current ? actual : null });
}

/** A value that is not a JSON object (written by hand with etcdctl) still shows up, as its bare id, so it can be fixed. */
function decode(id: string, value: Buffer): Document {
  try {
    const parsed: unknown = JSON.parse(value.toString());
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Document;
  } catch {
    /* fall through */
  }
  return { id };
}

/** etcd answers OUT_OF_RANGE for a revision that was compacted away or lies in the future. */
function isCompactedOrFuture(err: unknown): boolean {
  return err instanceof GRPCOutOfRangeError || (err instanceof Error && /compacted|future revision/.test(err.message));
}
