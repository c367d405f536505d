import { Range, type Etcd3 } from 'etcd3';
import { GatewayError, normalizePrefix, type AuditEntry, type AuditPage } from '@sluice/model';
import { DEFAULT_ETCD_TIMEOUT_MS, etcdCall } from './etcd-call.js';
import { AUDIT_SEGMENT } from './live-state.js';

export interface AuditQuery {
  collection?: string;
  id?: string;
  key?: string;
  limit: number;
  /** Cursor: only entries older than this one. */
  before?: string;
}

export interface AuditLogOptions {
  /** Newest entries kept (default 10,000). */
  maxEntries?: number;
  timeoutMs?: number;
  logger?: { warn(obj: object, msg: string): void };
}

const SCAN_PAGE = 500;
/** Trim after this many appends, so trimming costs one range count per batch, not per write. */
const TRIM_EVERY = 100;

/**
 * The audit log under `<prefix>/_admin/audit/<revision, zero-padded>-<sequence>`: keys sort
 * by time because etcd revisions only grow, and one revision may hold several entries (an
 * import writes many documents in one transaction).
 */
export function createAuditLog(client: Etcd3, rawPrefix: string, options: AuditLogOptions = {}) {
  const base = `${normalizePrefix(rawPrefix)}/${AUDIT_SEGMENT}`;
  const maxEntries = options.maxEntries ?? 10_000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  let appendsSinceTrim = 0;
  let trimming: Promise<void> | undefined;

  const entryKey = (revision: number, sequence: number) => `${base}${String(revision).padStart(16, '0')}-${String(sequence).padStart(5, '0')}`;

  async function trim(): Promise<void> {
    const total = await etcdCall(() => client.getAll().prefix(base).count(), timeoutMs);
    const excess = total - maxEntries;
    if (excess <= 0) return;
    const oldest = await etcdCall(() => client.getAll().prefix(base).sort('Key', 'Ascend').limit(excess).keys(), timeoutMs);
    const last = oldest[oldest.length - 1];
    if (last)
      await etcdCall(
        () =>
          client
            .delete()
            .range(new Range(base, `${last}\0`))
            .exec(),
        timeoutMs,
      );
  }

  return {
    /** Appends entries written at one revision; trims in the background now and then. */
    async append(entries: AuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      // In parallel batches: an import can audit hundreds of documents at once.
      for (let i = 0; i < entries.length; i += 50) {
        const batch = entries.slice(i, i + 50);
        await Promise.all(
          batch.map((e, j) =>
            etcdCall(
              () =>
                client
                  .put(entryKey(e.revision, i + j))
                  .value(JSON.stringify(e))
                  .exec(),
              timeoutMs,
            ),
          ),
        );
      }
      appendsSinceTrim += entries.length;
      if (appendsSinceTrim >= TRIM_EVERY && !trimming) {
        appendsSinceTrim = 0;
        trimming = trim()
          .catch((err) => options.logger?.warn({ err: String(err) }, 'audit log trim failed'))
          .finally(() => (trimming = undefined));
      }
    },

    /** Forces a trim now (tests, shutdown). */
    trim: () => trim(),

    /** Newest first, filtered; `next` continues from the last entry returned. */
    async list(query: AuditQuery): Promise<AuditPage> {
      const items: AuditEntry[] = [];
      let end = query.before === undefined ? Range.prefix(base).end : `${base}${decodeCursor(query.before)}`;
      let lastKey: string | undefined;
      for (;;) {
        const res = await etcdCall(() => client.getAll().inRange(new Range(base, end)).sort('Key', 'Descend').limit(SCAN_PAGE).exec(), timeoutMs);
        for (const kv of res.kvs) {
          const entry = parse(kv.value.toString());
          lastKey = kv.key.toString();
          if (!entry || !matches(query, entry)) continue;
          items.push(entry);
          if (items.length === query.limit) {
            return { items, next: Buffer.from(lastKey.slice(base.length)).toString('base64url') };
          }
        }
        if (!res.more || res.kvs.length === 0) return { items };
        end = res.kvs[res.kvs.length - 1].key.toString();
      }
    },

    async close(): Promise<void> {
      await trimming;
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

function matches(query: AuditQuery, entry: AuditEntry): boolean {
  return (
    (query.collection === undefined || entry.collection === query.collection) &&
    (query.id === undefined || entry.id === query.id) &&
    (query.key === undefined || entry.key === query.key)
  );
}

function parse(text: string): AuditEntry | undefined {
  try {
    return JSON.parse(text) as AuditEntry;
  } catch {
    return undefined;
  }
}

function decodeCursor(cursor: string): string {
  const suffix = Buffer.from(cursor, 'base64url').toString();
  if (!/^\d{16}-\d{5}$/.test(suffix)) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'before is not a cursor this API returned' });
  return suffix;
}
