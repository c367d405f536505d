import { Range, type Etcd3 } from 'etcd3';
import { normalizePrefix } from '@sluice/model';
import type { RawKv } from './config-store.js';

/** The etcd range covering every document key under a prefix. */
export function prefixRange(prefix: string): Range {
  return Range.prefix(`${normalizePrefix(prefix)}/`);
}

/**
 * Every key under the prefix at one revision. Paged with the revision pinned, so a large
 * config stays consistent and each response stays far below gRPC's 4 MiB receive limit.
 */
export async function loadPrefix(client: Etcd3, prefix: string, pageSize = 1000): Promise<{ revision: number; kvs: RawKv[] }> {
  const range = prefixRange(prefix);
  const kvs: RawKv[] = [];
  let from = range.start;
  let revision: string | undefined;
  for (;;) {
    const page = await client.kv.range({ key: from, range_end: range.end, limit: pageSize, revision });
    revision ??= page.header.revision;
    for (const kv of page.kvs) {
      kvs.push({ key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) });
    }
    const last = page.kvs.at(-1);
    if (!page.more || !last) break;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
  return { revision: Number(revision), kvs };
}
