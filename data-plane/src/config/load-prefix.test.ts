import { Range, type Etcd3, type IRangeRequest, type IRangeResponse } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { documentRanges, loadPrefix } from './load-prefix.js';

// The paging logic against an in-memory range endpoint with a send limit, as etcd behind a
// grpc-proxy has one (etcd 3.5's --max-send-bytes; the Debian etcd 3.4 that the integration
// tests run does not enforce it, so only this test can make a page too large).
const SEND_LIMIT = 1.5 * 1024 * 1024;

function fakeEtcd(keys: Map<string, string>, revision = 42) {
  const sorted = [...keys.keys()].sort();
  const requests: { from: string; limit: number; revision?: string }[] = [];
  const range = async (req: IRangeRequest): Promise<IRangeResponse> => {
    const from = req.key!.toString();
    const end = req.range_end!.toString();
    requests.push({ from, limit: Number(req.limit), revision: req.revision as string | undefined });
    const inRange = sorted.filter((k) => k >= from && k < end);
    const page = inRange.slice(0, Number(req.limit));
    const bytes = page.reduce((n, k) => n + k.length + keys.get(k)!.length, 0);
    if (bytes > SEND_LIMIT) throw new Error(`8 RESOURCE_EXHAUSTED: grpc: trying to send message larger than max (${bytes} vs. ${SEND_LIMIT})`);
    return {
      header: { revision: String(revision) },
      kvs: page.map((k) => ({ key: Buffer.from(k), value: Buffer.from(keys.get(k)!), mod_revision: '7', create_revision: '3' })),
      more: inRange.length > page.length,
      count: String(inRange.length),
    } as unknown as IRangeResponse;
  };
  return { client: { kv: { range } } as unknown as Etcd3, requests };
}

describe('loadPrefix', () => {
  it("skips the data planes' registrations and reads everything else", async () => {
    const keys = new Map(
      ['/gw/_admin/k', '/gw/consumers/c', '/gw/dataplanes/a', '/gw/dataplanes/b', '/gw/routes/r', '/gw/upstreams/u', '/gwx/routes/other'].map((k) => [k, '{}']),
    );
    const { client } = fakeEtcd(keys);
    const loaded = await loadPrefix(client, '/gw');
    expect(loaded.kvs.map((kv) => kv.key)).toEqual(['/gw/_admin/k', '/gw/consumers/c', '/gw/routes/r', '/gw/upstreams/u']);
    expect(loaded.revision).toBe(42);
    for (const r of documentRanges('/gw')) expect(r).toBeInstanceOf(Range);
  });

  it('sizes pages by bytes, asks again at half size when one is refused as too large, and pins the revision', async () => {
    const keys = new Map<string, string>();
    for (let i = 0; i < 3000; i++) keys.set(`/gw/routes/r${String(i).padStart(5, '0')}`, 'r'.repeat(200));
    // Large documents after small ones: a page sized for routes would be far too large here.
    for (let i = 0; i < 600; i++) keys.set(`/gw/ssls/s${String(i).padStart(4, '0')}`, 's'.repeat(8000));
    const { client, requests } = fakeEtcd(keys);
    const pages: number[] = [];
    const loaded = await loadPrefix(client, '/gw', { onPage: (kvs) => pages.push(kvs.length) });
    expect(loaded.kvs).toEqual([]);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(3600);
    expect(requests[0]!.revision).toBeUndefined();
    expect(requests.slice(1).every((r) => r.revision === '42')).toBe(true);
    // Routes went in few pages (sized by their bytes), and a refused page was asked for again smaller.
    expect(pages.length).toBeLessThan(12);
    const refused = requests.findIndex((r, i) => i > 0 && r.from === requests[i - 1]!.from);
    expect(refused).toBeGreaterThan(0);
    expect(requests[refused]!.limit).toBe(Math.floor(requests[refused - 1]!.limit / 2));
  });

  it('gives up on a page that is refused for another reason', async () => {
    const client = { kv: { range: async () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')) } } as unknown as Etcd3;
    await expect(loadPrefix(client, '/gw')).rejects.toThrow(/UNAVAILABLE/);
  });
});
