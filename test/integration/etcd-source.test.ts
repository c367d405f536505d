import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { killChild } from '../helpers/kill-child.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { createEtcdSource, type EtcdSource, type EtcdSourceOptions } from '../../data-plane/src/config/etcd-source.js';
import type { ConfigLogger } from '../../data-plane/src/config/config-store.js';
import type { ConfigSnapshot, SnapshotInfo } from '../../data-plane/src/config/types.js';

// One etcd for the file. The fault tests (kill, wipe) run last and leave it running.
let etcd: TestEtcd;
let client: Etcd3;
let tmp: string;
const sources: EtcdSource[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: [etcd.endpoint] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-config-'));
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  client?.close();
  await etcd?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every snapshot a source delivered, in order. */
function recorder() {
  const seen: Array<{ snapshot: ConfigSnapshot; info: SnapshotInfo }> = [];
  return {
    seen,
    onSnapshot: (snapshot: ConfigSnapshot, info: SnapshotInfo) => void seen.push({ snapshot, info }),
    last: () => seen[seen.length - 1]!,
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger: ConfigLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function source(opts: Partial<EtcdSourceOptions> & { prefix: string }): EtcdSource {
  const s = createEtcdSource({ endpoints: [etcd.endpoint], ...opts });
  sources.push(s);
  return s;
}

function route(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, match: { paths: [{ type: 'prefix', value: `/${id}` }] }, ...extra });
}

/** Writes many keys in transactions (etcd allows 128 operations per txn by default). */
async function putMany(entries: Array<[string, string]>, perTxn = 100): Promise<void> {
  for (let i = 0; i < entries.length; i += perTxn) {
    const success = entries.slice(i, i + perTxn).map(([key, value]) => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }));
    await client.kv.txn({ success });
  }
}

const routeIds = (s: ConfigSnapshot) => [...s.routes.keys()].sort();

describe('etcd source', () => {
  it("neither loads nor watches the data planes' registrations, which every data plane rewrites after each change", async () => {
    const prefix = etcd.prefix('registrations');
    await client.put(`${prefix}/routes/a`).value(route('a'));
    await client.put(`${prefix}/dataplanes/dp0`).value('{"revision":1}');
    const rec = recorder();
    const src = source({ prefix });
    await src.start(rec.onSnapshot);
    // Fifty other data planes report a change, then a route and a consumer (both sides of dataplanes/ in key order) change.
    await putMany(Array.from({ length: 50 }, (_, i) => [`${prefix}/dataplanes/dp${i}`, `{"revision":${i}}`]));
    await client.put(`${prefix}/routes/b`).value(route('b'));
    await client.put(`${prefix}/consumers/c`).value(JSON.stringify({ id: 'c', username: 'c' }));
    await waitFor(() => routeIds(rec.last().snapshot).includes('b') && rec.last().snapshot.consumers.has('c'), 5000, 'route b and consumer c');
    expect(src.stats.watchEvents).toBe(2);
    expect(routeIds(rec.last().snapshot)).toEqual(['a', 'b']);
  });

  it('loads at revision R, then applies puts and deletes from the watch', async () => {
    const prefix = etcd.prefix('load');
    await client.put(`${prefix}/routes/a`).value(route('a'));
    await client.put(`${prefix}/upstreams/u`).value(JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port: 8080, weight: 1 }] }));
    await client.put(`${prefix}/dataplanes/dp1`).value('{"ignored":true}');
    const states: string[] = [];
    const rec = recorder();
    const src = source({ prefix, onStateChange: (s) => states.push(s) });
    expect(src.state).toBe('connecting');
    await src.start(rec.onSnapshot);

    const first = rec.last();
    expect(first.info.origin).toBe('etcd');
    expect(routeIds(first.snapshot)).toEqual(['a']);
    expect(first.snapshot.upstreams.get('u')?.doc.nodes[0].port).toBe(8080);
    expect(src.state).toBe('live');

    await client.put(`${prefix}/routes/b`).value(route('b'));
    await client.delete().key(`${prefix}/routes/a`);
    await waitFor(() => routeIds(rec.last().snapshot).join() === 'b', 5000, 'put and delete applied');
    const latest = rec.last().snapshot;
    expect(latest.revision).toBeGreaterThan(first.snapshot.revision);
    expect(latest.routes.get('b')?.modRevision).toBe(latest.routes.get('b')?.createRevision);
    expect(latest.upstreams).toBe(first.snapshot.upstreams); // untouched collection shared, not copied
    expect(routeIds(first.snapshot)).toEqual(['a']); // earlier snapshot never changes
    expect(states).toEqual(['live']);
  });

  it('rejects a malformed document alone and takes the fixed one', async () => {
    const prefix = etcd.prefix('reject');
    const { logger, lines } = recordingLogger();
    await client.put(`${prefix}/routes/good`).value(route('good'));
    await client.put(`${prefix}/routes/json`).value('{"id": "json", ');
    const rec = recorder();
    const src = source({ prefix, logger });
    await src.start(rec.onSnapshot);
    expect(routeIds(rec.last().snapshot)).toEqual(['good']);
    expect(rec.last().info.rejected.get('routes/json')).toMatch(/invalid JSON/);

    // A schema-invalid version of a good route is rejected; the good version stays in force.
    await client.put(`${prefix}/routes/good2`).value(route('good2'));
    await waitFor(() => rec.last().snapshot.routes.has('good2'), 5000, 'good2');
    const goodRevision = rec.last().snapshot.routes.get('good2')!.modRevision;
    await client.put(`${prefix}/routes/good2`).value(route('good2', { match: { paths: [{ type: 'bogus', value: '/x' }] } }));
    await waitFor(() => rec.last().info.rejected.has('routes/good2'), 5000, 'good2 rejected');
    expect(routeIds(rec.last().snapshot)).toEqual(['good', 'good2']);
    expect(rec.last().snapshot.routes.get('good2')!.modRevision).toBe(goodRevision);
    expect(rec.last().info.rejected.get('routes/good2')).toMatch(/\/match\/paths\/0\/type/);
    const warning = lines.find((l) => l.obj.key === `${prefix}/routes/good2`);
    expect(warning?.obj.revision).toEqual(expect.any(Number));
    expect(src.stats.rejected).toBe(2);

    await client.put(`${prefix}/routes/json`).value(route('json'));
    await client.put(`${prefix}/routes/good2`).value(route('good2'));
    // good2 was served all along (its last good version), so wait for the rejections to clear.
    await waitFor(() => routeIds(rec.last().snapshot).join() === 'good,good2,json' && rec.last().info.rejected.size === 0, 5000, 'fixed documents');
    expect(rec.last().snapshot.routes.get('good2')!.modRevision).toBeGreaterThan(goodRevision);
  });

  it('debounces a burst of 1000 keys into a few snapshots', async () => {
    const prefix = etcd.prefix('burst');
    const rec = recorder();
    const src = source({ prefix });
    await src.start(rec.onSnapshot);
    const before = rec.seen.length;
    await putMany(
      Array.from({ length: 1000 }, (_, i) => [`${prefix}/routes/r${i}`, route(`r${i}`)]),
      125,
    );
    await waitFor(() => rec.last().snapshot.routes.size === 1000, 10_000, '1000 routes');
    const delivered = rec.seen.length - before;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(20);
  });

  it('resyncs when the watch start revision has been compacted', async () => {
    const prefix = etcd.prefix('compact');
    await client.put(`${prefix}/routes/a`).value(route('a'));
    await client.put(`${prefix}/routes/b`).value(route('b'));
    const { logger, lines } = recordingLogger();
    const rec = recorder();
    let armed = true;
    const src = source({
      prefix,
      logger,
      // Between the load at R and the watch from R+1, change things and compact past R+1,
      // so etcd answers the watch with "compacted" and only a fresh load can catch up.
      beforeWatch: async () => {
        if (!armed) return;
        armed = false;
        await client.put(`${prefix}/routes/c`).value(route('c'));
        await client.delete().key(`${prefix}/routes/a`);
        const { header } = await client.put(`${prefix}/routes/b`).value(route('b', { priority: 7 }));
        await client.kv.compact({ revision: header.revision, physical: true });
      },
    });
    await src.start(rec.onSnapshot);
    expect(routeIds(rec.seen[0]!.snapshot)).toEqual(['a', 'b']);
    await waitFor(() => src.stats.compactions === 1 && routeIds(rec.last().snapshot).join() === 'b,c', 5000, 'resync after compaction');
    expect(rec.last().snapshot.routes.get('b')?.doc.priority).toBe(7);
    expect(src.stats.loads).toBe(2);
    expect(src.state).toBe('live');
    expect(lines.some((l) => l.msg?.includes('compacted'))).toBe(true);

    // And the watch after the resync is live.
    await client.put(`${prefix}/routes/d`).value(route('d'));
    await waitFor(() => rec.last().snapshot.routes.has('d'), 5000, 'd after resync');
  });

  it('close() stops the watch, timers and client, leaving no handles behind', async () => {
    const prefix = etcd.prefix('close');
    const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    const before = handles();
    const src = createEtcdSource({ endpoints: [etcd.endpoint], prefix, cacheFile: path.join(tmp, 'close.ndjson') });
    await src.start(() => {});
    await client.put(`${prefix}/routes/a`).value(route('a')); // leaves a debounce and a cache write pending
    await src.close();
    expect(src.state).toBe('closed');
    await waitFor(() => handles() <= before, 2000, 'handles released');
  });

  it('loads 10,000 documents of ~500 bytes (paged range)', async () => {
    const prefix = etcd.prefix('big');
    const pad = 'x'.repeat(400);
    const docs: Array<[string, string]> = Array.from({ length: 10_000 }, (_, i) => [
      `${prefix}/routes/route-${i}`,
      route(`route-${i}`, { desc: pad, match: { hosts: [`svc-${i}.example.com`], paths: [{ type: 'prefix', value: `/api/${i}` }] } }),
    ]);
    expect(docs[0]![1].length).toBeGreaterThan(480);
    await putMany(docs);
    const rec = recorder();
    const src = source({ prefix });
    const began = performance.now();
    await src.start(rec.onSnapshot);
    const ms = performance.now() - began;
    expect(rec.last().snapshot.routes.size).toBe(10_000);
    console.log(`initial load of 10,000 documents (~${docs[0]![1].length} B each): ${ms.toFixed(0)} ms (range ${src.stats.lastLoadMs} ms)`);
  });
});

describe('etcd source through etcd grpc-proxy', () => {
  let proxy: ChildProcess | undefined;
  afterAll(() => killChild(proxy));

  it('loads a config of several megabytes and then watches, both through the proxy', async () => {
    const port = await freePort();
    proxy = spawn(
      'etcd',
      ['grpc-proxy', 'start', '--endpoints', etcd.endpoint.replace('http://', ''), '--listen-addr', `127.0.0.1:${port}`, '--data-dir', path.join(tmp, 'proxy')],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 15_000, 'grpc-proxy');
    const prefix = etcd.prefix('proxied');
    // ~2.3 KB each: 3.5 MB in all, more than one proxied message.
    const labels = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`l${i}`, 'v'.repeat(200)]));
    await putMany(Array.from({ length: 1500 }, (_, i) => [`${prefix}/routes/r${i}`, route(`r${i}`, { desc: 'd'.repeat(1000), labels })]));
    const rec = recorder();
    const src = createEtcdSource({ endpoints: [`http://127.0.0.1:${port}`], prefix });
    sources.push(src);
    await src.start(rec.onSnapshot);
    expect(rec.last().info.origin).toBe('etcd');
    expect(rec.last().snapshot.routes.size).toBe(1500);
    expect(src.stats.disconnects).toBe(0);
    // And the watch through the proxy.
    await client.put(`${prefix}/routes/late`).value(route('late'));
    await waitFor(() => rec.last().snapshot.routes.has('late'), 5000, 'a change through the proxy');
  });
});

describe('etcd source faults', () => {
  it('goes stale while etcd is down, keeps the last snapshot, and resyncs when it is back', async () => {
    const prefix = etcd.prefix('restart');
    await client.put(`${prefix}/routes/a`).value(route('a'));
    const states: string[] = [];
    const rec = recorder();
    const src = source({ prefix, onStateChange: (s) => states.push(s) });
    await src.start(rec.onSnapshot);
    const served = rec.seen.length;

    await etcd.kill();
    await waitFor(() => src.state === 'stale', 5000, 'stale');
    expect(rec.seen.length).toBe(served); // nothing new delivered: the last snapshot keeps serving
    await etcd.restart();
    await waitFor(() => src.state === 'live', 10_000, 'live again');

    const writer = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      await writer.put(`${prefix}/routes/b`).value(route('b'));
    } finally {
      writer.close();
    }
    await waitFor(() => routeIds(rec.last().snapshot).join() === 'a,b', 5000, 'b after restart');
    expect(states).toEqual(['live', 'stale', 'live']);
    expect(src.stats.loads).toBe(2);
  });

  it('resyncs when etcd comes back at a lower revision (wiped) and drops what is gone', async () => {
    const prefix = etcd.prefix('wipe');
    const writer = new Etcd3({ hosts: [etcd.endpoint] });
    await writer.put(`${prefix}/routes/old`).value(route('old'));
    writer.close();
    const rec = recorder();
    const src = source({ prefix });
    await src.start(rec.onSnapshot);
    const before = rec.last().snapshot;
    expect(before.revision).toBeGreaterThan(2);

    await etcd.kill();
    fs.rmSync(etcd.dataDir, { recursive: true, force: true });
    fs.mkdirSync(etcd.dataDir, { mode: 0o700 });
    await etcd.restart();
    const fresh = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      await fresh.put(`${prefix}/routes/new`).value(route('new'));
    } finally {
      fresh.close();
    }
    await waitFor(() => routeIds(rec.last().snapshot).join() === 'new', 10_000, 'wiped etcd resynced');
    expect(rec.last().snapshot.revision).toBeLessThan(before.revision);
    expect(src.stats.rewinds).toBe(1);
    expect(src.state).toBe('live');
  });

  it('serves the disk cache when etcd is down at start, then goes live', async () => {
    const prefix = etcd.prefix('cache');
    const cacheFile = path.join(tmp, 'config-cache.ndjson');
    const writer = new Etcd3({ hosts: [etcd.endpoint] });
    await writer.put(`${prefix}/routes/a`).value(route('a'));
    await writer.put(`${prefix}/consumers/alice`).value(JSON.stringify({ id: 'alice', username: 'alice' }));
    writer.close();

    const recA = recorder();
    const a = createEtcdSource({ endpoints: [etcd.endpoint], prefix, cacheFile });
    await a.start(recA.onSnapshot);
    await a.close(); // flushes the cache
    expect(a.state).toBe('closed');
    expect(fs.existsSync(cacheFile)).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    await etcd.kill();
    const states: string[] = [];
    const recB = recorder();
    // Two endpoints, both down for now: the second one never exists.
    const b = source({ prefix, cacheFile, cacheFallbackMs: 500, endpoints: [etcd.endpoint, 'http://127.0.0.1:1'], onStateChange: (s) => states.push(s) });
    await b.start(recB.onSnapshot);
    expect(recB.last().info.origin).toBe('disk-cache');
    expect(b.state).toBe('stale');
    expect(routeIds(recB.last().snapshot)).toEqual(['a']);
    expect(recB.last().snapshot.consumers.get('alice')?.doc.username).toBe('alice');
    expect(recB.last().snapshot.revision).toBe(recA.last().snapshot.revision);

    await etcd.restart();
    await waitFor(() => b.state === 'live', 10_000, 'live after etcd is back');
    expect(recB.last().info.origin).toBe('etcd');
    expect(routeIds(recB.last().snapshot)).toEqual(['a']);
    expect(states).toEqual(['stale', 'live']);
  });

  it('keeps start() pending while neither etcd nor a cache is there', async () => {
    const prefix = etcd.prefix('pending');
    await etcd.kill();
    const rec = recorder();
    const src = source({ prefix, cacheFile: path.join(tmp, 'absent.ndjson'), cacheFallbackMs: 200 });
    let started = false;
    const starting = src.start(rec.onSnapshot).then(() => (started = true));
    await waitFor(() => src.stats.disconnects >= 3, 10_000, 'several failed attempts');
    expect(started).toBe(false);
    expect(src.state).toBe('connecting');
    await etcd.restart();
    await starting;
    expect(rec.last().info.origin).toBe('etcd');
    expect(src.state).toBe('live');
  });
});
