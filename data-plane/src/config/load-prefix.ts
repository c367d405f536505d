import { Range, type Etcd3, type IRangeResponse } from 'etcd3';
import { collectionPrefix, normalizePrefix } from '@sluice/model';
import type { RawKv } from './config-store.js';

/**
 * The etcd ranges a data plane reads and watches: every key under the prefix except the data
 * planes' own registrations (`<prefix>/dataplanes/`). Each primary rewrites its registration
 * after every table swap, so with one watch over the whole prefix every data plane would
 * receive every other one's registration: N² watch events per change for N data planes (at
 * 100 instances, 10,000 per change, which etcd and the workers spent seconds of CPU on).
 */
export function documentRanges(prefix: string): Range[] {
  const root = `${normalizePrefix(prefix)}/`;
  const registrations = collectionPrefix(prefix, 'dataplanes');
  // The first key after every `<prefix>/dataplanes/...` key: '0' follows '/'.
  const afterRegistrations = `${registrations.slice(0, -1)}0`;
  return [new Range(root, registrations), new Range(afterRegistrations, Range.prefix(root).end)];
}

export interface LoadOptions {
  /** Keys asked for in the first page (default 1000); later pages are sized by the bytes per key seen. */
  pageSize?: number;
  /** Gets each page as it arrives, while the next one is on its way; without it the pages are returned. */
  onPage?: (kvs: RawKv[]) => void;
}

/**
 * About this much per page: etcd grpc-proxy sends at most 1.5 MiB per message by default, and
 * round trips, not bytes, are what a page costs (100k routes load in ~25 pages, not 100).
 */
const PAGE_BYTES = 1024 * 1024;
const MIN_PAGE = 16;
const MAX_PAGE = 10_000;

/**
 * Every document key under the prefix at one revision. Paged with the revision pinned, so a
 * large config stays consistent; pages aim at PAGE_BYTES (a page refused as too large is asked
 * for again at half the size), and the next page is requested before the current one is handed
 * to `onPage`, so etcd's answer and our parsing overlap.
 */
export async function loadPrefix(client: Etcd3, prefix: string, options: LoadOptions = {}): Promise<{ revision: number; kvs: RawKv[] }> {
  const kvs: RawKv[] = [];
  const onPage = options.onPage ?? ((page: RawKv[]) => void kvs.push(...page));
  let limit = options.pageSize ?? 1000;
  let revision: string | undefined;
  const ask = (from: Buffer, end: Buffer, size: number) => {
    const answer = client.kv.range({ key: from, range_end: end, limit: size, revision });
    answer.catch(() => undefined); // awaited below; never an unhandled rejection while we parse
    return answer;
  };
  for (const range of documentRanges(prefix)) {
    let from = range.start;
    let next = ask(from, range.end, limit);
    for (;;) {
      let page: IRangeResponse;
      try {
        page = await next;
      } catch (err) {
        // Too large for a limit on the way (the client's, a proxy's): the same page, smaller.
        if (!/RESOURCE_EXHAUSTED|larger than max/i.test(String((err as Error).message)) || limit <= MIN_PAGE) throw err;
        limit = Math.max(MIN_PAGE, Math.floor(limit / 2));
        next = ask(from, range.end, limit);
        continue;
      }
      revision ??= page.header.revision;
      const last = page.kvs.at(-1);
      const more = page.more && last !== undefined;
      if (more) {
        let bytes = 0;
        for (const kv of page.kvs) bytes += kv.key.length + kv.value.length;
        limit = Math.min(MAX_PAGE, Math.max(MIN_PAGE, Math.floor((PAGE_BYTES * page.kvs.length) / Math.max(1, bytes))));
        from = Buffer.concat([last.key, Buffer.from([0])]);
        next = ask(from, range.end, limit);
      }
      onPage(
        page.kvs.map((kv) => ({ key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) })),
      );
      if (!more) break;
    }
  }
  return { revision: Number(revision), kvs };
}
