import { SNAPSHOT_FIELDS } from './config-store.js';
import type { ConfigOrigin, ConfigSnapshot, SnapshotInfo } from './types.js';

/** What a worker has applied, as /readyz, the status page and the dataplane registration report it. */
export interface SnapshotSummary {
  revision: number;
  origin: ConfigOrigin;
  /** Valid documents per etcd collection. */
  documents: Record<string, number>;
  rejected: Array<{ key: string; reason: string }>;
}

export function snapshotSummary(snapshot: ConfigSnapshot, info: SnapshotInfo): SnapshotSummary {
  const documents: Record<string, number> = {};
  for (const [collection, field] of Object.entries(SNAPSHOT_FIELDS)) documents[collection] = snapshot[field].size;
  return {
    revision: snapshot.revision,
    origin: info.origin,
    documents,
    rejected: [...info.rejected].map(([key, reason]) => ({ key, reason })),
  };
}
