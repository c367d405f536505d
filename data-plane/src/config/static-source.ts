import { documentKey, kindByCollection } from '@sluice/model';
import { createConfigStore, type ConfigLogger } from './config-store.js';
import type { ConfigSnapshot, ConfigSource, SnapshotInfo, SourceState } from './types.js';

const STATIC_PREFIX = '/static';

/**
 * A source of fixed, in-memory documents (tests, the built-in example). They go through the
 * same validation as etcd documents, so a bad one is rejected alone here too.
 */
export function createStaticSource(
  docs: Array<{ collection: string; doc: unknown }>,
  logger?: ConfigLogger,
): ConfigSource & {
  readonly snapshot: ConfigSnapshot;
  readonly info: SnapshotInfo;
} {
  const store = createConfigStore(STATIC_PREFIX, logger);
  docs.forEach(({ collection, doc }, i) => {
    const idField = kindByCollection(collection)?.idField ?? 'id';
    const id = (doc as Record<string, unknown> | null)?.[idField];
    // A document without a usable id still gets a key, so it is rejected by name, not dropped.
    const key = documentKey(STATIC_PREFIX, collection, typeof id === 'string' && id && !id.includes('/') ? id : `#${i}`);
    store.applyPut(key, JSON.stringify(doc) ?? '', i + 1, i + 1);
  });
  const { snapshot, rejected } = store.snapshot(docs.length);
  const info: SnapshotInfo = { origin: 'static', rejected };
  let state: SourceState = 'connecting';

  return {
    snapshot,
    info,
    get state() {
      return state;
    },
    async start(onSnapshot) {
      onSnapshot(snapshot, info);
      state = 'live';
    },
    async close() {
      state = 'closed';
    },
  };
}
