import type { IncomingHttpHeaders } from 'node:http';
import type { Route, Upstream } from '@sluice/model';
import type { UpstreamRuntime } from '../balancer/types.js';
import type { PluginChain } from '../plugins/plugin-chain.js';

/** What the matcher needs of a request. Built by the proxy from the raw request; no parsing in between. */
export interface MatchInput {
  /** Host header (may carry :port and any case), or undefined. */
  host: string | undefined;
  /** Path without the query string, normalized by the request pipeline (the path forwarded). */
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** Raw query string without the leading `?` ('' when none). */
  query: string;
}

/** A route as the matcher sees it. The compiler passes richer objects through unchanged. */
export interface RouteEntry {
  id: string;
  route: Route;
  /** etcd create_revision: older wins the final tie. */
  createRevision: number;
  /** etcd mod_revision of the version compiled (absent in hand-built test entries). */
  modRevision?: number;
}

/** One version of a document something serves: `<collection>/<id>` and its etcd mod revision. */
export interface ServedDocument {
  key: string;
  modRevision: number;
}

/** Finds the best route for a request per DESIGN.md precedence. */
export interface HttpMatcher<T extends RouteEntry = RouteEntry> {
  match(input: MatchInput): T | undefined;
  readonly size: number;
}

/** Per-route timeouts in ms, resolved once at compile time (route > upstream > defaults). */
export interface ResolvedTimeouts {
  connectMs: number;
  sendMs: number;
  readMs: number;
  /** Idle timeout of upgraded connections: explicit read timeout, else 1 hour. */
  upgradeIdleMs: number;
}

export interface CompiledBackend {
  runtime: UpstreamRuntime;
  upstream: Upstream;
  weight: number;
}

/** A route ready for the hot path: everything the proxy needs, precomputed. */
export interface CompiledRoute extends RouteEntry {
  /** Weighted backends; empty when the route has none (→ 503). */
  backends: CompiledBackend[];
  /** Chooses a backend by weight (smooth weighted round robin across upstreams). */
  pickBackend(): CompiledBackend | undefined;
  timeouts: ResolvedTimeouts;
  websocket: boolean;
  /** Route, plugin-config and global-rule plugins merged; undefined when none (then they cost nothing). */
  plugins: PluginChain | undefined;
  /** Upstreams plugins may choose instead of `backends` (traffic-split), by id. */
  pluginBackends: ReadonlyMap<string, CompiledBackend>;
  /**
   * client-control `maxBodySize` (the route's, its plugin config's, else a global rule's): the
   * pipeline refuses a larger Content-Length and cuts a streamed body at it. Undefined = none.
   */
  maxBodySize?: number;
}
