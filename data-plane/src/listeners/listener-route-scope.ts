import type { ListenerSocket } from '../compile/listener-table.js';
import { normalizeHost } from '../compile/normalize-host.js';
import type { CompiledRoute, HttpMatcher } from '../compile/types.js';
import type { RequestHead } from '../proxy/front/client-side.js';
import { MISDIRECTED, type RouteScope } from '../proxy/pipeline/route-scope.js';
import { isMisdirected, tlsIdentityOf } from '../tls/tls-identity.js';

/**
 * Which routes serve a request that arrived on a listener socket: those of the listener its
 * host selects (exact hostname, longest wildcard, else the listener without hostname), so a
 * host no listener accepts finds no route (404). Over TLS, a host that selects another
 * listener than the connection's SNI did is misdirected (421): that connection was set up,
 * certificate and client-certificate policy and all, for the other listener (the TLS front's
 * one SNI/Host rule). `socket` is replaced on every table swap.
 */
export class ListenerRouteScope implements RouteScope {
  constructor(public socket: ListenerSocket) {}

  matcherFor(req: RequestHead): HttpMatcher<CompiledRoute> | undefined | typeof MISDIRECTED {
    const listener = this.socket.byHost.lookup(normalizeHost(req.host));
    const identity = tlsIdentityOf(req.socket);
    if (identity !== undefined && isMisdirected(identity, listener?.id)) return MISDIRECTED;
    return listener?.http;
  }
}
