import type { Consumer, GlobalRule, Listener, PluginConfig, Route, Service, Ssl, StreamRoute, Upstream } from '@sluice/model';

/** A document as read from etcd, with the revisions etcd gave it. */
export interface Versioned<T> {
  doc: T;
  /** etcd mod_revision: changes on every write of this key. */
  modRevision: number;
  /** etcd create_revision: orders documents by age (the last precedence tie-breaker). */
  createRevision: number;
}

/**
 * Every valid document of one prefix at one etcd revision. Immutable once handed out:
 * a change produces a new snapshot, so the compiler never sees a half-applied update.
 */
export interface ConfigSnapshot {
  revision: number;
  /** Every valid route, merged with the service it names (a route naming a missing service is left out). */
  routes: ReadonlyMap<string, Versioned<Route>>;
  upstreams: ReadonlyMap<string, Versioned<Upstream>>;
  ssls: ReadonlyMap<string, Versioned<Ssl>>;
  streamRoutes: ReadonlyMap<string, Versioned<StreamRoute>>;
  consumers: ReadonlyMap<string, Versioned<Consumer>>;
  pluginConfigs: ReadonlyMap<string, Versioned<PluginConfig>>;
  globalRules: ReadonlyMap<string, Versioned<GlobalRule>>;
  /** Gateway API listeners: extra ports (per address) that only routes naming them are served on. */
  listeners: ReadonlyMap<string, Versioned<Listener>>;
  /** Services routes name; `routes` already carries what each route takes from its service. */
  services: ReadonlyMap<string, Versioned<Service>>;
}

/** Where a snapshot came from: etcd (live) or the on-disk copy of the last good config (stale). */
export type ConfigOrigin = 'etcd' | 'disk-cache' | 'static';

export interface SnapshotInfo {
  origin: ConfigOrigin;
  /** Documents skipped because they failed validation, by key. */
  rejected: ReadonlyMap<string, string>;
}

/** The connection state of a source, reported on /readyz and in metrics. */
export type SourceState = 'connecting' | 'live' | 'stale' | 'closed';

/**
 * Feeds a worker with snapshots. `start` resolves once a first snapshot was delivered (from
 * etcd, or from the disk cache when etcd is down) or rejects when neither is possible.
 */
export interface ConfigSource {
  start(onSnapshot: (snapshot: ConfigSnapshot, info: SnapshotInfo) => void): Promise<void>;
  readonly state: SourceState;
  close(): Promise<void>;
}
