import fs from 'node:fs/promises';
import { documentKey, normalizePrefix } from '@sluice/model';
import { SNAPSHOT_FIELDS, type ConfigLogger, type RawKv } from './config-store.js';
import type { ConfigSnapshot } from './types.js';

/** What the cache file holds: the raw documents of one prefix at one revision. */
export interface CachedConfig {
  revision: number;
  writtenAt: string;
  kvs: RawKv[];
}

export interface DiskCache {
  /** Remembers the snapshot and writes it soon, at most once per interval. Never blocks the caller. */
  save(snapshot: ConfigSnapshot): void;
  /** Writes what is pending now and waits for it. */
  flush(): Promise<void>;
  /** The cached config, or undefined when there is none (or it is unreadable, which is logged). */
  load(): Promise<CachedConfig | undefined>;
}

const FORMAT = 'sluice-config-cache/1';
const LINES_PER_WRITE = 2000;
let tempCounter = 0;

/**
 * The last good config on local disk, so a worker that starts while etcd is down can serve.
 * NDJSON (a header line, then one document per line) written to a temp file and renamed, so
 * readers never see a half-written file even when several workers share it.
 */
export function createDiskCache(opts: { file: string; prefix: string; minIntervalMs?: number; logger?: ConfigLogger }): DiskCache {
  const prefix = normalizePrefix(opts.prefix);
  const minIntervalMs = opts.minIntervalMs ?? 1000;
  let latest: ConfigSnapshot | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let lastWriteAt = 0;

  const writeLatest = async () => {
    timer = undefined;
    const snapshot = latest;
    latest = undefined;
    if (!snapshot) return;
    writing = writeCache(opts.file, prefix, snapshot)
      .catch((err) => opts.logger?.error({ err, file: opts.file }, 'config cache write failed'))
      .finally(() => {
        writing = undefined;
        lastWriteAt = Date.now();
        if (latest) schedule();
      });
    await writing;
  };

  const schedule = () => {
    if (timer || writing) return;
    timer = setTimeout(writeLatest, Math.max(50, lastWriteAt + minIntervalMs - Date.now()));
    timer.unref();
  };

  return {
    save(snapshot) {
      latest = snapshot;
      schedule();
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      if (writing) await writing;
      clearTimeout(timer);
      timer = undefined;
      if (latest) await writeLatest();
    },
    async load() {
      let text: string;
      try {
        text = await fs.readFile(opts.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.logger?.warn({ err, file: opts.file }, 'config cache unreadable');
        return undefined;
      }
      try {
        return parseCache(text, prefix);
      } catch (err) {
        opts.logger?.warn({ file: opts.file, reason: (err as Error).message }, 'config cache ignored');
        return undefined;
      }
    },
  };
}

async function writeCache(file: string, prefix: string, snapshot: ConfigSnapshot): Promise<void> {
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    const header = { format: FORMAT, prefix, revision: snapshot.revision, writtenAt: new Date().toISOString() };
    let lines: string[] = [JSON.stringify(header)];
    for (const [collection, field] of Object.entries(SNAPSHOT_FIELDS)) {
      for (const [id, v] of snapshot[field]) {
        lines.push(JSON.stringify({ k: documentKey(prefix, collection, id), v: JSON.stringify(v.doc), m: v.modRevision, c: v.createRevision }));
        // Written in slices so a 100k-document config never becomes one giant string.
        if (lines.length >= LINES_PER_WRITE) {
          await handle.write(lines.join('\n') + '\n');
          lines = [];
        }
      }
    }
    await handle.write(lines.join('\n') + '\n');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(temp, file);
}

function parseCache(text: string, prefix: string): CachedConfig {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0] ?? '');
  if (header.format !== FORMAT) throw new Error(`unknown format ${JSON.stringify(header.format)}`);
  if (header.prefix !== prefix) throw new Error(`written for prefix ${header.prefix}, not ${prefix}`);
  const kvs: RawKv[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const r = JSON.parse(lines[i]);
    kvs.push({ key: r.k, value: r.v, modRevision: r.m, createRevision: r.c });
  }
  return { revision: Number(header.revision), writtenAt: String(header.writtenAt), kvs };
}
