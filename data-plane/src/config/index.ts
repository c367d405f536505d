export * from './types.js';
export { createConfigStore, type ConfigStore, type ConfigLogger, type RawKv } from './config-store.js';
export { createEtcdSource, type EtcdSource, type EtcdSourceOptions, type EtcdSourceStats } from './etcd-source.js';
export { createStaticSource } from './static-source.js';
export { createDiskCache, type DiskCache, type CachedConfig } from './disk-cache.js';
export { snapshotSummary, type SnapshotSummary } from './snapshot-summary.js';
