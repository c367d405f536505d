import { Etcd3, type IEvent, type IOptions } from 'etcd3';
import { normalizePrefix } from '@sluice/model';
import { createConfigStore, type ConfigLogger } from './config-store.js';
import { createDebouncer } from './debouncer.js';
import { createDiskCache } from './disk-cache.js';
import { loadPrefix } from './load-prefix.js';
import { watchPrefix, type PrefixWatch, type WatchEnd } from './watch-prefix.js';
import type { ConfigOrigin, ConfigSnapshot, ConfigSource, SnapshotInfo, SourceState } from './types.js';

export interface EtcdSourceOptions {
  endpoints: string[];
  prefix: string;
  auth?: { username: string; password: string };
  /** PEM contents (not paths). */
  tls?: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string };
  /** Where the last good config is kept for starts while etcd is down. */
  cacheFile?: string;
  /** Least time between two snapshots (default 20 ms); a change after a quiet spell is delivered at once. */
  debounceMs?: number;
  /** Most time between two snapshots, however long a compile takes (default 1000 ms). */
  maxDelayMs?: number;
  /** Longest start() waits for etcd before it serves the disk cache (default 10 s; a refused connection falls back at once). */
  cacheFallbackMs?: number;
  /** Keys in the first range page on load (default 1000; later pages are sized by bytes). */
  pageSize?: number;
  logger?: ConfigLogger;
  onStateChange?: (state: SourceState) => void;
  /** Test hook: runs after each full load, before the watch from the next revision is created. */
  beforeWatch?: (revision: number) => void | Promise<void>;
}

/** Counters for metrics and tests. */
export interface EtcdSourceStats {
  /** Full range-gets that completed (the first load plus every resync). */
  loads: number;
  /** Resyncs because the watch start revision had been compacted. */
  compactions: number;
  /** Loads that found etcd at a lower revision than the config we had (restored or wiped etcd). */
  rewinds: number;
  /** Watches or loads that ended with etcd unreachable. */
  disconnects: number;
  snapshots: number;
  /** Revision of the last delivered snapshot. */
  revision: number;
  /** Milliseconds the last full load took. */
  lastLoadMs: number;
  /** Documents rejected since start. */
  rejected: number;
  /** Events received from watches (registrations of data planes are not watched: documentRanges). */
  watchEvents: number;
}

export interface EtcdSource extends ConfigSource {
  readonly stats: Readonly<EtcdSourceStats>;
}

const MAX_BACKOFF_MS = 2000;
const CALL_TIMEOUT_MS = 5000;

/**
 * Feeds a worker from etcd: load the prefix at revision R, watch from R+1, deliver debounced
 * snapshots. Any break in the watch (lost connection, compaction, cancel) tears the session
 * down and resyncs with a fresh load on a fresh client, with backoff; the old snapshot keeps
 * serving until the new one is complete. A fresh client per session means etcd3's own watch
 * reconnection and circuit breakers never carry state across an outage.
 */
export function createEtcdSource(opts: EtcdSourceOptions): EtcdSource {
  const prefix = normalizePrefix(opts.prefix);
  const log = opts.logger;
  const store = createConfigStore(prefix, log);
  const cache = opts.cacheFile ? createDiskCache({ file: opts.cacheFile, prefix, logger: log }) : undefined;
  const stats: EtcdSourceStats = {
    loads: 0,
    compactions: 0,
    rewinds: 0,
    disconnects: 0,
    snapshots: 0,
    revision: 0,
    lastLoadMs: 0,
    rejected: 0,
    watchEvents: 0,
  };

  let state: SourceState = 'connecting';
  let closed = false;
  let onSnapshot: ((snapshot: ConfigSnapshot, info: SnapshotInfo) => void) | undefined;
  let started: (() => void) | undefined;
  let client: Etcd3 | undefined;
  let watch: PrefixWatch | undefined;
  let wake: (() => void) | undefined;
  let fallbackTimer: NodeJS.Timeout | undefined;
  let fallingBack = false;
  let loop: Promise<void> | undefined;
  let endpointCursor = Math.floor(Math.random() * opts.endpoints.length);
  /** Revision of the newest change in the store (delivered or pending). */
  let storeRevision = 0;

  const setState = (next: SourceState) => {
    if (state === next) return;
    state = next;
    try {
      opts.onStateChange?.(next);
    } catch (err) {
      log?.error({ err }, 'onStateChange failed');
    }
  };

  const deliver = (origin: ConfigOrigin) => {
    const { snapshot, rejected } = store.snapshot(storeRevision);
    stats.snapshots++;
    stats.revision = snapshot.revision;
    stats.rejected = store.rejectedTotal;
    try {
      onSnapshot?.(snapshot, { origin, rejected });
    } catch (err) {
      log?.error({ err, revision: snapshot.revision }, 'applying a config snapshot failed');
    }
    if (origin === 'etcd') cache?.save(snapshot);
    started?.();
    started = undefined;
  };
  const debouncer = createDebouncer(() => deliver('etcd'), opts.debounceMs ?? 20, opts.maxDelayMs ?? 1000);

  const onEvents = (events: IEvent[]) => {
    stats.watchEvents += events.length;
    let relevant = false;
    for (const ev of events) {
      const key = ev.kv.key.toString();
      const modRevision = Number(ev.kv.mod_revision);
      const used = ev.type === 'Put' ? store.applyPut(key, ev.kv.value, modRevision, Number(ev.kv.create_revision)) : store.applyDelete(key);
      relevant ||= used;
      if (modRevision > storeRevision) storeRevision = modRevision;
    }
    if (relevant) debouncer.schedule();
  };

  /** One load + watch on one client; resolves with why it ended. */
  const runSession = async (): Promise<{ end: WatchEnd; wentLive: boolean }> => {
    // A session talks to ONE endpoint for both its load and its watch: letting the client
    // spread calls over all endpoints made a single dead endpoint break healthy watches
    // at random (each break costs a full reload). A failed session moves to the next one.
    const endpoint = opts.endpoints[endpointCursor % opts.endpoints.length];
    const session = (client = new Etcd3(clientOptions(opts, endpoint)));
    let wentLive = false;
    try {
      const began = Date.now();
      // Each page is parsed and checked while the next is read; the store changes only at commit.
      const listing = store.replacement();
      let keys = 0;
      const loaded = await loadPrefix(session, prefix, {
        pageSize: opts.pageSize,
        onPage: (kvs) => {
          keys += kvs.length;
          listing.add(kvs);
        },
      });
      if (closed) return { end: { reason: 'closed' }, wentLive };
      stats.loads++;
      stats.lastLoadMs = Date.now() - began;
      if (loaded.revision < storeRevision) {
        stats.rewinds++;
        log?.warn({ had: storeRevision, etcd: loaded.revision }, 'etcd revision went backwards; replacing the config');
      }
      debouncer.cancel();
      listing.commit();
      storeRevision = loaded.revision;
      deliver('etcd');
      setState('live');
      wentLive = true;
      log?.info({ revision: loaded.revision, keys, ms: stats.lastLoadMs }, 'config loaded from etcd');
      await opts.beforeWatch?.(loaded.revision);
      if (closed) return { end: { reason: 'closed' }, wentLive };
      watch = await watchPrefix(session, prefix, loaded.revision + 1, onEvents);
      if (closed) watch.cancel();
      const end = await watch.ended;
      // Changes seen before the break are real; publish them rather than sit on them.
      debouncer.flush();
      return { end, wentLive };
    } catch (error) {
      return { end: { reason: 'disconnected', error: error as Error }, wentLive };
    } finally {
      watch = undefined;
      client = undefined;
      session.close();
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const run = async () => {
    let failures = 0;
    while (!closed) {
      const { end, wentLive } = await runSession();
      if (closed || end.reason === 'closed') break;
      if (wentLive) failures = 0;
      if (end.reason === 'compacted') {
        stats.compactions++;
        log?.warn({ compactRevision: end.compactRevision, had: storeRevision }, 'watch revision compacted; resyncing');
        continue; // etcd is there: reload at once and stay live
      }
      stats.disconnects++;
      endpointCursor++;
      // Every endpoint refused or failed us before a first snapshot: serve the disk copy now rather than
      // wait for the backstop timer (a slow but reachable etcd is waited for instead).
      if (started && cache && !fallingBack && stats.disconnects >= opts.endpoints.length) {
        fallingBack = true;
        clearTimeout(fallbackTimer);
        void fallBackToCache();
      }
      if (state === 'live') setState('stale');
      const delay = backoff(failures++);
      const why = end.reason === 'canceled' ? end.message : end.error.message;
      log?.warn({ reason: why, retryInMs: Math.round(delay) }, 'etcd unavailable; serving the last config');
      await sleep(delay);
    }
  };

  const fallBackToCache = async () => {
    fallbackTimer = undefined;
    if (!cache || !started || closed) return;
    const cached = await cache.load();
    if (!cached || !started || closed) return;
    store.replaceAll(cached.kvs);
    storeRevision = cached.revision;
    log?.warn({ revision: cached.revision, writtenAt: cached.writtenAt }, 'etcd unreachable; serving the config cached on disk');
    deliver('disk-cache');
    setState('stale');
  };

  return {
    get state() {
      return state;
    },
    stats,
    start(callback) {
      if (onSnapshot) return Promise.reject(new Error('config source already started'));
      onSnapshot = callback;
      const firstSnapshot = new Promise<void>((resolve) => (started = resolve));
      loop = run().catch((err) => log?.error({ err }, 'config source loop failed'));
      // Backstop for an etcd that accepts connections and never answers.
      if (cache) fallbackTimer = setTimeout(() => void fallBackToCache(), opts.cacheFallbackMs ?? 10_000);
      return firstSnapshot;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(fallbackTimer);
      debouncer.cancel();
      wake?.();
      watch?.cancel();
      client?.close();
      await loop;
      await cache?.flush();
      setState('closed');
    },
  };
}

/** Exponential from 100 ms, capped, with jitter so many workers do not reconnect in step. */
function backoff(failures: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures);
  return base / 2 + (Math.random() * base) / 2;
}

function clientOptions(opts: EtcdSourceOptions, endpoint: string): IOptions {
  const pem = (v: Buffer | string | undefined) => (v === undefined ? undefined : Buffer.from(v));
  return {
    hosts: [endpoint],
    auth: opts.auth,
    credentials: opts.tls ? { rootCertificate: pem(opts.tls.ca) as Buffer, certChain: pem(opts.tls.cert), privateKey: pem(opts.tls.key) } : undefined,
    grpcOptions: {
      // Pages are small, but one large document must never make the whole load fail.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // Notice a silently dead connection (no FIN) instead of trusting a stale watch forever.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
  };
}
