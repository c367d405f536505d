// The etcd writer against a real etcd: set-diff of Kubernetes-owned documents, admin documents
// never touched, unchanged documents not rewritten, retries while etcd is away.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdRepo, type EtcdRepo } from '../../control-plane/src/store/etcd-repo.js';
import { createEtcdWriter } from '../../control-plane/src/sync/etcd-writer.js';
import type { TranslateResult, TranslatedDocument } from '../../control-plane/src/translate/types.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';

let etcd: TestEtcd;
let client: Etcd3;

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
});
afterAll(async () => {
  client?.close();
  await etcd?.stop();
});

const owner = { kind: 'Ingress' as const, namespace: 'default', name: 'shop', uid: 'u1' };
const upstream = (id: string, port: number): TranslatedDocument => ({
  collection: 'upstreams',
  doc: { id, owner, nodes: [{ host: '127.0.0.1', port, weight: 1 }] },
});
const route = (id: string, upstreamId: string, path = '/shop'): TranslatedDocument => ({
  collection: 'routes',
  doc: { id, owner, match: { paths: [{ type: 'prefix', value: path }] }, backends: [{ upstreamId, weight: 1 }] },
});
const result = (...documents: TranslatedDocument[]): TranslateResult => ({ documents, warnings: [], statuses: [] });

function setup(name: string) {
  const prefix = etcd.prefix(name);
  const warnings: { object: string; message: string }[] = [];
  const writer = createEtcdWriter(client, prefix, { warn: (w) => warnings.push(w), retryMinMs: 50, retryMaxMs: 200 });
  return { prefix, writer, warnings, repo: createEtcdRepo(client, prefix) };
}

const ids = async (repo: EtcdRepo, collection: string) => (await repo.listAll(collection)).map((d) => d.id).sort();

describe('etcd writer', () => {
  it('creates, updates and deletes to match the translation, and rewrites nothing unchanged', async () => {
    const { writer, repo } = setup('diff');
    const first = await writer.apply(result(upstream('k8s-a', 1001), upstream('k8s-b', 1002), route('k8s-r', 'k8s-a')));
    expect(first).toMatchObject({ put: 3, deleted: 0, unchanged: 0, attempts: 1 });
    expect(await ids(repo, 'routes')).toEqual(['k8s-r']);
    const a = (await repo.get('upstreams', 'k8s-a'))!;
    const b = (await repo.get('upstreams', 'k8s-b'))!;
    expect(a.doc.owner).toEqual(owner);
    expect(typeof a.doc.createdAt).toBe('string');

    // Same set again: nothing written, mod revisions stay.
    expect(await writer.apply(result(upstream('k8s-a', 1001), upstream('k8s-b', 1002), route('k8s-r', 'k8s-a')))).toMatchObject({
      put: 0,
      deleted: 0,
      unchanged: 3,
    });
    expect((await repo.get('upstreams', 'k8s-a'))!.modRevision).toBe(a.modRevision);

    // Endpoint change on one upstream, route moved to b, a gone.
    const third = await writer.apply(result(upstream('k8s-b', 1003), route('k8s-r', 'k8s-b')));
    expect(third).toMatchObject({ put: 2, deleted: 1, unchanged: 0 });
    expect(await ids(repo, 'upstreams')).toEqual(['k8s-b']);
    const b2 = (await repo.get('upstreams', 'k8s-b'))!;
    expect(b2.doc.nodes).toEqual([{ host: '127.0.0.1', port: 1003, weight: 1 }]);
    expect(b2.doc.createdAt).toBe(b.doc.createdAt);
    expect((await repo.get('routes', 'k8s-r'))!.doc.backends).toEqual([{ upstreamId: 'k8s-b', weight: 1 }]);

    // Nothing translated: everything owned is removed.
    expect(await writer.apply(result())).toMatchObject({ put: 0, deleted: 2 });
    expect(await ids(repo, 'routes')).toEqual([]);
    expect(await ids(repo, 'upstreams')).toEqual([]);
  });

  it('never touches admin documents, and skips a generated id that collides with one', async () => {
    const { writer, repo, warnings } = setup('admin');
    await repo.put('upstreams', 'mine', { id: 'mine', nodes: [{ host: '127.0.0.1', port: 9, weight: 1 }] });
    await repo.put('upstreams', 'k8s-x', { id: 'k8s-x', owner: { kind: 'admin' }, nodes: [{ host: '127.0.0.1', port: 8, weight: 1 }] });
    const mine = (await repo.get('upstreams', 'mine'))!;
    const report = await writer.apply(result(upstream('k8s-x', 1001), upstream('k8s-y', 1002)));
    expect(report).toMatchObject({ put: 1, deleted: 0, skipped: 1 });
    expect((await repo.get('upstreams', 'k8s-x'))!.doc.nodes).toEqual([{ host: '127.0.0.1', port: 8, weight: 1 }]);
    expect(warnings).toEqual([
      { object: 'Ingress/default/shop', message: expect.stringContaining('upstreams/k8s-x already exists and belongs to the admin API') },
    ]);
    await writer.apply(result());
    expect(await ids(repo, 'upstreams')).toEqual(['k8s-x', 'mine']);
    expect((await repo.get('upstreams', 'mine'))!.modRevision).toBe(mine.modRevision);
  });

  it('skips an invalid document with a warning and writes the rest', async () => {
    const { writer, repo, warnings } = setup('invalid');
    const bad: TranslatedDocument = { collection: 'upstreams', doc: { id: 'k8s-bad', owner, nodes: 'nope' } };
    expect(await writer.apply(result(bad, upstream('k8s-ok', 1)))).toMatchObject({ put: 1, skipped: 1 });
    expect(await ids(repo, 'upstreams')).toEqual(['k8s-ok']);
    expect(warnings[0].message).toMatch(/invalid upstreams\/k8s-bad skipped: \/nodes/);
  });

  it('splits a large first sync into ordered transactions of at most 100 operations', async () => {
    const { prefix, writer, repo } = setup('batches');
    const docs: TranslatedDocument[] = [];
    for (let i = 0; i < 150; i++) docs.push(route(`k8s-r${i}`, `k8s-u${i}`, `/p${i}`), upstream(`k8s-u${i}`, 2000 + i));
    // Watch the writes: every route must arrive after its upstream.
    const seen = new Set<string>();
    const violations: string[] = [];
    const watcher = await client.watch().prefix(prefix).create();
    watcher.on('put', (kv) => {
      const key = kv.key.toString();
      seen.add(key);
      const doc = JSON.parse(kv.value.toString());
      if (key.includes('/routes/') && !seen.has(`${prefix}/upstreams/${doc.backends[0].upstreamId}`)) violations.push(key);
    });
    expect(await writer.apply(result(...docs))).toMatchObject({ put: 300 });
    expect(await repo.count('routes')).toBe(150);
    await watcher.cancel();
    expect(violations).toEqual([]);
  });

  it('keeps retrying while etcd is down and completes once it is back', async () => {
    const prefix = etcd.prefix('down');
    const repo = createEtcdRepo(client, prefix);
    let failures = 0;
    const writer = createEtcdWriter(client, prefix, { retryMinMs: 50, retryMaxMs: 200, onRetry: () => failures++ });
    await writer.apply(result(upstream('k8s-a', 1)));
    await etcd.kill();
    const pending = writer.apply(result(upstream('k8s-a', 2), upstream('k8s-b', 3)));
    let settled = false;
    void pending.finally(() => (settled = true));
    await waitFor(() => failures >= 3, 20_000, 'three failed attempts');
    expect(settled).toBe(false);
    await etcd.restart();
    const report = await pending;
    expect(report.attempts).toBeGreaterThan(1);
    expect((await repo.get('upstreams', 'k8s-a'))!.doc.nodes).toEqual([{ host: '127.0.0.1', port: 2, weight: 1 }]);
    expect(await ids(repo, 'upstreams')).toEqual(['k8s-a', 'k8s-b']);
  }, 60_000);

  it('rejects a pending apply when closed', async () => {
    const { writer } = setup('closed');
    await etcd.kill();
    const pending = writer.apply(result(upstream('k8s-a', 1)));
    writer.close();
    await expect(pending).rejects.toThrow(/closed/);
    await etcd.restart();
  }, 30_000);
});
