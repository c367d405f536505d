import { normalizeHost } from '../../compile/normalize-host.js';
import type { CompiledRoute, HttpMatcher, RoutingTable } from '../../compile/types.js';
import { isMisdirected, tlsIdentityOf } from '../../tls/tls-identity.js';
import type { RequestHead } from '../front/client-side.js';

/** A request's host needs another TLS identity than its connection has (→ 421). */
export const MISDIRECTED = 'misdirected';

/**
 * Which routes serve requests that arrived on a socket: the main ports' table, or a Gateway
 * listener socket's. `matcherFor` also applies the TLS front's SNI/Host rule.
 */
export interface RouteScope {
  matcherFor(req: RequestHead, table: RoutingTable): HttpMatcher<CompiledRoute> | undefined | typeof MISDIRECTED;
}

/**
 * The main HTTP and HTTPS ports: every route that names no listener. Over TLS, a host whose
 * certificate (ssl document, with its client-certificate policy) is not the one the SNI chose
 * is misdirected; a plain connection pays one property read.
 */
export const MAIN_ROUTE_SCOPE: RouteScope = {
  matcherFor(req, table) {
    const identity = tlsIdentityOf(req.socket);
    if (identity !== undefined && isMisdirected(identity, table.sni?.lookup(normalizeHost(req.host))?.id)) return MISDIRECTED;
    return table.http;
  },
};
