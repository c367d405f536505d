import type { TLSSocket } from 'node:tls';
import type { ListenerSocket } from '../compile/listener-table.js';
import { normalizeHost } from '../compile/normalize-host.js';
import type { CompiledRoute, HttpMatcher } from '../compile/types.js';
import type { RequestHead } from '../proxy/front/client-side.js';
import { MISDIRECTED, type RouteScope } from '../proxy/http-proxy.js';

/**
 * Which routes serve a request that arrived on a listener socket: those of the listener its
 * Host selects (exact hostname, longest wildcard, else the listener without hostname), so a
 * Host no listener accepts finds no route (404). On TLS, a Host that selects another listener
 * than the connection's SNI did is misdirected (421): that connection was set up, certificate
 * and all, for the other listener. `socket` is replaced on every table swap.
 */
export class ListenerRouteScope implements RouteScope {
  constructor(public socket: ListenerSocket) {}

  matcherFor(req: RequestHead): HttpMatcher<CompiledRoute> | undefined | typeof MISDIRECTED {
    const socket = this.socket;
    const listener = socket.byHost.lookup(normalizeHost(req.headers.host));
    const tls = req.socket as TLSSocket;
    if (socket.listeners.length > 1 && tls.encrypted === true && socket.byHost.lookup(tls.servername || undefined) !== listener) return MISDIRECTED;
    return listener?.http;
  }
}
