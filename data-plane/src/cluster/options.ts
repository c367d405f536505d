import type { EtcdConnectionOptions } from '@sluice/model';
import type { ClientTrafficFlags } from '../compile/client-traffic.js';
import type { CountReply, CountRequest } from './count-messages.js';

/** Everything a data-plane process needs; parsed by bin/gateway, passed to workers as JSON. */
export interface DataPlaneOptions extends EtcdConnectionOptions {
  host?: string;
  /** Gateway listener ports, declared → bound (`--port-map 80:18080`); unmapped ports bind as declared. */
  portMap?: Record<number, number>;
  httpPort: number;
  httpsPort: number;
  statusPort: number;
  /** 0 = one per core; workers receive the resolved count (limit-count local needs it). */
  workers: number;
  /** Where workers keep the last good config for a start with etcd down. */
  cacheDir: string;
  /** How long SIGTERM lets WebSocket and long requests drain. */
  drainSeconds: number;
  /** Custom plugins (`*.mjs` / `*.js`); a change there restarts the workers one by one. */
  pluginsDir?: string;
  /** Name under /gateway/dataplanes/; defaults to hostname-pid. */
  id?: string;
  /** Path and header-name handling before routing (`--escaped-slashes`, ...); client-traffic global rules override it. */
  clientTraffic?: ClientTrafficFlags;
}

export const WORKER_OPTIONS_ENV = 'SLUICE_WORKER_OPTIONS';
/** Set for workers forked after the first ones: load the config before taking connections. */
export const LOAD_BEFORE_LISTEN_ENV = 'SLUICE_LOAD_BEFORE_LISTEN';

/** Messages from a worker to the primary over the cluster IPC channel. */
export type WorkerMessage =
  | { type: 'sluice:listening'; httpPort: number; httpsPort?: number }
  /** `streamPorts`: the stream ports its config wants open, so a rolling restart's replacement binds them all first. */
  | { type: 'sluice:state'; state: import('../worker.js').WorkerState; streamPorts: string[] }
  | { type: 'sluice:health'; requestId: number; upstreams: Record<string, { key: string; healthy: boolean }[]> }
  | CountRequest;

/** Messages from the primary to a worker. */
export type PrimaryMessage = { type: 'sluice:drain'; graceMs: number } | { type: 'sluice:health?'; requestId: number } | CountReply;
