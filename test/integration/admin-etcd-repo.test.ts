import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '@sluice/model';
import { createEtcdRepo, type EtcdRepo } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';

let etcd: TestEtcd;
let client: Etcd3;
let repo: EtcdRepo;

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  repo = createEtcdRepo(client, etcd.prefix('repo'));
});

afterAll(async () => {
  client?.close();
  await etcd?.stop();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: GatewayError) => e.code,
  );

describe('createEtcdRepo', () => {
  it('guards create and replace with transactions', async () => {
    const rev1 = await repo.put('upstreams', 'a', { id: 'a', v: 1 }, { mustNotExist: true });
    expect(await codeOf(repo.put('upstreams', 'a', { id: 'a', v: 2 }, { mustNotExist: true }))).toBe('GW_ERR_ALREADY_EXISTS');
    const rev2 = await repo.put('upstreams', 'a', { id: 'a', v: 2 }, { ifModRevision: rev1 });
    expect(rev2).toBeGreaterThan(rev1);
    expect(await codeOf(repo.put('upstreams', 'a', { id: 'a', v: 3 }, { ifModRevision: rev1 }))).toBe('GW_ERR_CONFLICT');
    expect(await repo.get('upstreams', 'a')).toMatchObject({ id: 'a', doc: { v: 2 }, modRevision: rev2, createRevision: rev1 });
    expect(await codeOf(repo.delete('upstreams', 'a', { ifModRevision: rev1 }))).toBe('GW_ERR_CONFLICT');
    expect(await repo.delete('upstreams', 'a', { ifModRevision: rev2 })).toBe(true);
    expect(await repo.delete('upstreams', 'a')).toBe(false);
    expect(await repo.get('upstreams', 'a')).toBeUndefined();
  });

  it('pages a collection in key order without reading its neighbours', async () => {
    for (const id of ['p3', 'p1', 'p2', 'p10']) await repo.put('routes', id, { id });
    await repo.put('routes-extra', 'x', { id: 'x' });
    const first = await repo.list('routes', { limit: 3 });
    expect(first.items.map((i) => i.id)).toEqual(['p1', 'p10', 'p2']);
    expect(first.more).toBe(true);
    const second = await repo.list('routes', { limit: 3, continueFrom: 'p2' });
    expect(second.items.map((i) => i.id)).toEqual(['p3']);
    expect(second.more).toBe(false);
    expect(await repo.count('routes')).toBe(4);
    expect((await repo.listAll('routes')).map((i) => i.id)).toEqual(['p1', 'p10', 'p2', 'p3']);
  });

  it('walks the history of the current incarnation only', async () => {
    await repo.put('ssls', 'h', { id: 'h', v: 'old-life' });
    await repo.delete('ssls', 'h');
    const revs = [];
    for (const v of [1, 2, 3]) revs.push(await repo.put('ssls', 'h', { id: 'h', v }));
    const history = await repo.history('ssls', 'h');
    expect(history!.map((h) => [h.modRevision, h.doc.v])).toEqual([
      [revs[1], 2],
      [revs[0], 1],
    ]);
    expect((await repo.getVersion('ssls', 'h', revs[0]))?.doc.v).toBe(1);
    expect(await repo.getVersion('ssls', 'h', revs[0] - 1)).toBeUndefined();
    expect(await repo.history('ssls', 'none')).toBeUndefined();

    await client.put(`${repo.prefix}/ssls/broken`).value('not json');
    expect((await repo.get('ssls', 'broken'))?.doc).toEqual({ id: 'broken' });
  });
});
