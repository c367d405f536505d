import type { UpstreamRuntime } from '../balancer/types.js';
import type { ClientTraffic } from './client-traffic.js';
import type { ListenerTable } from './listener-table.js';
import type { CompiledRoute, HttpMatcher } from './route-types.js';
import type { SniIndex } from './sni-index.js';
import type { StreamTable } from './stream-matcher.js';

// The route-level types live in route-types.ts, so what a table is made of (listener tables,
// stream matchers) can name them without depending on the table itself.
export type { CompiledBackend, CompiledRoute, HttpMatcher, MatchInput, ResolvedTimeouts, RouteEntry, ServedDocument } from './route-types.js';

/** One immutable compiled config; a request reads it once. */
export interface RoutingTable {
  revision: number;
  http: HttpMatcher<CompiledRoute>;
  upstreams: ReadonlyMap<string, UpstreamRuntime>;
  /** Stream routes by listening port (absent in hand-built test tables). */
  streams?: StreamTable;
  /** Certificates of the HTTPS port by SNI. */
  sni?: SniIndex;
  /** Gateway listener sockets and the routes attached to them (absent in hand-built test tables). */
  listeners?: ListenerTable;
  /** How requests are treated before routing (client-traffic); absent = the defaults. */
  clientTraffic?: ClientTraffic;
}
