import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import {
  collectionPrefix,
  documentStateOn,
  kindByCollection,
  kinds,
  normalizePrefix,
  parseKey,
  type ChangeEvent,
  type DataplaneEvent,
  type DataplaneServingReport,
} from '@sluice/model';
import { DEFAULT_ETCD_TIMEOUT_MS, etcdCall } from './etcd-call.js';

/** A data plane's registration as stored, with the revision it was written at and what it serves. */
export interface LiveDataplane extends DataplaneServingReport {
  id: string;
  doc: Record<string, unknown>;
  modRevision: number;
  /** Lowest etcd revision every worker of it applied. */
  appliedRevision: number;
}

/** How a wait for the data planes ended: every live one serves the write, one refuses it, or neither yet. */
export type WaitOutcome = { state: 'applied' } | { state: 'rejected'; rejections: { dataplane: string; key: string; reason: string }[] } | { state: 'pending' };

export type LiveEvent = { type: 'change'; data: ChangeEvent } | { type: 'dataplane'; data: DataplaneEvent };
export type LiveListener = (event: LiveEvent) => void;

/** Where the admin API keeps its own records, under the prefix; parseKey skips them (the id holds a slash). */
export const ADMIN_KEYS_SEGMENT = '_admin/keys/';
export const AUDIT_SEGMENT = '_admin/audit/';

interface Logger {
  warn(obj: object, msg: string): void;
}

interface Waiter {
  revision: number;
  /** `<collection>/<id>` of the documents written (none for deletions). */
  keys: readonly string[];
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * The control plane's view of what is live, from ONE etcd watch on the whole prefix shared by
 * every user: live data planes (registered under a lease), the stored admin keys, and the
 * stream of document changes for `/events`. Started on first use, so an admin API whose
 * etcd is down still starts and serves what needs no etcd.
 */
export function createLiveState(client: Etcd3, rawPrefix: string, options: { logger?: Logger; timeoutMs?: number } = {}) {
  const prefix = normalizePrefix(rawPrefix);
  const dataplanesPrefix = `${prefix}/dataplanes/`;
  const keysPrefix = `${prefix}/${ADMIN_KEYS_SEGMENT}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  const dataplanes = new Map<string, LiveDataplane>();
  /** The newest revision that changed a document (a registration or admin key moves etcd's head, not this). */
  let documentRevision = 0;
  const adminKeys = new Map<string, Record<string, unknown>>();
  const listeners = new Set<LiveListener>();
  const waiters = new Set<Waiter>();
  let watcher: Watcher | undefined;
  let starting: Promise<void> | undefined;
  let closed = false;

  /** The outcome of a write of `keys` at `revision` so far; undefined while some data plane has yet to decide. */
  const outcomeOf = (revision: number, keys: readonly string[]): WaitOutcome | undefined => {
    if (dataplanes.size === 0) return undefined;
    const rejections: { dataplane: string; key: string; reason: string }[] = [];
    let waiting = false;
    for (const dp of dataplanes.values()) {
      if (dp.appliedRevision < revision) {
        waiting = true;
        continue;
      }
      for (const key of keys) {
        const { state, reason } = documentStateOn(dp, key, revision);
        if (state === 'rejected') rejections.push({ dataplane: dp.id, key, reason: reason ?? 'rejected' });
        else if (state === 'pending') waiting = true;
      }
    }
    // One refusal decides: the write will not be served everywhere, whatever the others do.
    if (rejections.length) return { state: 'rejected', rejections };
    return waiting ? undefined : { state: 'applied' };
  };

  const settleWaiters = () => {
    for (const w of waiters) {
      const outcome = outcomeOf(w.revision, w.keys);
      if (!outcome) continue;
      clearTimeout(w.timer);
      waiters.delete(w);
      w.resolve(outcome);
    }
  };

  const emit = (event: LiveEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        options.logger?.warn({ err: String(err) }, 'live event listener failed');
      }
    }
  };

  /** A registration without a lease would outlive its data plane, so it never counts as live. */
  const parseDataplane = (kv: IKeyValue): LiveDataplane | undefined => {
    const id = kv.key.toString().slice(dataplanesPrefix.length);
    if (String(kv.lease) === '0') return undefined;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(kv.value.toString()) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const revision = typeof doc.revision === 'number' ? doc.revision : 0;
    const rejected = doc.rejected !== null && typeof doc.rejected === 'object' ? (doc.rejected as Record<string, string>) : undefined;
    const pending = Array.isArray(doc.pending) ? doc.pending.filter((k): k is string => typeof k === 'string') : undefined;
    const rejectedOmitted = typeof doc.rejectedOmitted === 'number' ? doc.rejectedOmitted : undefined;
    return { id, doc, modRevision: Number(kv.mod_revision), appliedRevision: revision, rejected, pending, rejectedOmitted };
  };

  const putDataplane = (kv: IKeyValue): LiveDataplane | undefined => {
    const dp = parseDataplane(kv);
    if (dp) dataplanes.set(dp.id, dp);
    return dp;
  };

  const putKey = (kv: IKeyValue) => {
    try {
      adminKeys.set(kv.key.toString().slice(keysPrefix.length), JSON.parse(kv.value.toString()) as Record<string, unknown>);
    } catch {
      /* a hand-written bad value is no key */
    }
  };

  const onEvent = (type: 'Put' | 'Delete', kv: IKeyValue) => {
    const key = kv.key.toString();
    const revision = Number(kv.mod_revision);
    if (key.startsWith(dataplanesPrefix)) {
      const id = key.slice(dataplanesPrefix.length);
      const existed = dataplanes.has(id);
      if (type === 'Put') {
        const dp = putDataplane(kv);
        if (dp)
          emit({
            type: 'dataplane',
            data: {
              id,
              appliedRevision: dp.appliedRevision,
              action: existed ? 'update' : 'register',
              rejected: { ...dp.rejected },
              pending: [...(dp.pending ?? [])],
            },
          });
      } else if (existed) {
        const dp = dataplanes.get(id)!;
        dataplanes.delete(id);
        emit({ type: 'dataplane', data: { id, appliedRevision: dp.appliedRevision, action: 'leave' } });
      }
      settleWaiters();
      return;
    }
    if (key.startsWith(keysPrefix)) {
      if (type === 'Put') putKey(kv);
      else adminKeys.delete(key.slice(keysPrefix.length));
      return;
    }
    const parsed = parseKey(prefix, key);
    if (!parsed || !kindByCollection(parsed.collection)) return;
    documentRevision = Math.max(documentRevision, revision);
    emit({ type: 'change', data: { collection: parsed.collection, id: parsed.id, action: type === 'Put' ? 'put' : 'delete', revision } });
  };

  async function load(): Promise<number> {
    const first = await etcdCall(() => client.getAll().prefix(dataplanesPrefix).exec(), timeoutMs);
    const revision = Number(first.header.revision);
    const keys = await etcdCall(() => client.getAll().prefix(keysPrefix).revision(revision).exec(), timeoutMs);
    dataplanes.clear();
    adminKeys.clear();
    for (const kv of first.kvs) putDataplane(kv);
    for (const kv of keys.kvs) putKey(kv);
    // The newest document (not registrations, not admin state): what every data plane must apply.
    const newest = await Promise.all(
      kinds
        .filter((k) => k.collection !== 'dataplanes')
        .map((k) =>
          etcdCall(() => client.getAll().prefix(collectionPrefix(prefix, k.collection)).sort('Mod', 'Descend').limit(1).revision(revision).exec(), timeoutMs),
        ),
    );
    documentRevision = Math.max(0, ...newest.flatMap((r) => r.kvs.map((kv) => Number(kv.mod_revision))));
    return revision;
  }

  async function start(): Promise<void> {
    const revision = await load();
    if (closed) return;
    const w = await etcdCall(
      () =>
        client
          .watch()
          .prefix(`${prefix}/`)
          .startRevision(String(revision + 1))
          .create(),
      timeoutMs,
    );
    if (closed) {
      await w.cancel();
      return;
    }
    watcher = w;
    w.on('data', (res) => {
      for (const ev of res.events) onEvent(ev.type === 'Put' ? 'Put' : 'Delete', ev.kv);
    });
    // The watcher reconnects and resumes by itself; errors are only logged.
    w.on('error', (err) => options.logger?.warn({ err: String(err) }, 'admin live-state watch error'));
    settleWaiters();
  }

  return {
    /** Loads and starts the watch once; a failed start is tried again on the next call. */
    ready(): Promise<void> {
      starting ??= start().catch((err) => {
        starting = undefined;
        throw err;
      });
      return starting;
    },

    /** The newest document change (put or delete) seen: every data plane must apply up to it. */
    documentRevision(): number {
      return documentRevision;
    },

    dataplanes(): LiveDataplane[] {
      return [...dataplanes.values()].sort((a, b) => a.id.localeCompare(b.id));
    },

    /** The live data planes read from etcd now (for lists that must show a registration made a moment ago). */
    async readDataplanes(): Promise<{ items: LiveDataplane[]; revision: number }> {
      const res = await etcdCall(() => client.getAll().prefix(dataplanesPrefix).exec(), timeoutMs);
      const items = res.kvs.map(parseDataplane).filter((d): d is LiveDataplane => d !== undefined);
      return { items: items.sort((a, b) => a.id.localeCompare(b.id)), revision: Number(res.header.revision) };
    },

    /** Stored admin keys by name (values as stored: hash, role, scope). */
    adminKeys(): ReadonlyMap<string, Record<string, unknown>> {
      return adminKeys;
    },

    /** Applies a key this process just wrote at once, so it works before the watch delivers it. */
    noteAdminKey(name: string, record: Record<string, unknown> | undefined): void {
      if (record) adminKeys.set(name, record);
      else adminKeys.delete(name);
    },

    /** How many listeners are subscribed (event-stream clients); for tests and metrics. */
    subscriberCount(): number {
      return listeners.size;
    },

    subscribe(listener: LiveListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Waits until every live data plane serves the write of `keys` at `revision` (applied),
     * one refuses one of them (rejected, with the reasons), or `waitMs` passed or none is
     * live (pending).
     */
    async waitApplied(revision: number, waitMs: number, keys: readonly string[] = []): Promise<WaitOutcome> {
      await this.ready();
      const now = outcomeOf(revision, keys);
      if (now) return now;
      if (dataplanes.size === 0) return { state: 'pending' };
      return new Promise<WaitOutcome>((resolve) => {
        const waiter: Waiter = {
          revision,
          keys,
          resolve,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            resolve({ state: 'pending' });
          }, waitMs),
        };
        waiters.add(waiter);
      });
    },

    async close(): Promise<void> {
      closed = true;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve({ state: 'pending' });
      }
      waiters.clear();
      listeners.clear();
      await watcher?.cancel().catch(() => undefined);
    },
  };
}

export type LiveState = ReturnType<typeof createLiveState>;
