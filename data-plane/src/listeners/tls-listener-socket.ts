import net from 'node:net';
import type { CompiledListener, ListenerSocket } from '../compile/listener-table.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import type { HttpProxy, ScopedFront } from '../proxy/http-proxy.js';
import { TlsFront, type TlsPlan, type TlsTarget } from '../tls/tls-front.js';
import { listenOnce, type ListenerSocketHandle } from './listener-socket-handle.js';
import { ListenerRouteScope } from './listener-route-scope.js';

/**
 * A socket of HTTPS and TLS listeners sharing one address:port, served by the one TLS front.
 * Every connection's ClientHello is read first and its SNI picks the listener (exact hostname,
 * longest wildcard, else the one without hostname); then:
 * - TLS Passthrough: the raw bytes go to the listener's stream route for that SNI;
 * - HTTPS: TLS is terminated with only that listener's certificates (ALPN h2, http/1.1) and
 *   the decrypted socket goes to the same proxy, routed by the listeners of this socket;
 * - TLS Terminate: TLS is terminated and the plaintext piped to the stream route's backend.
 * A terminated listener with `tls.clientCa` asks for a client certificate in the handshake
 * and, unless its clientVerify is `optional`, fails the handshake without a valid one.
 */
export class TlsListenerSocket implements ListenerSocketHandle {
  private readonly outer: net.Server;
  private readonly tlsFront: TlsFront;
  private readonly scope: ListenerRouteScope;
  private readonly fronts: ScopedFront;

  constructor(
    private plan: ListenerSocket,
    proxy: HttpProxy,
    private readonly logger: Logger,
    traffic: StreamTraffic,
  ) {
    this.scope = new ListenerRouteScope(plan);
    this.fronts = proxy.createScopedFront(this.scope);
    this.tlsFront = new TlsFront(listenerTlsPlan(plan), { http: { front: this.fronts.front, h2: this.fronts.h2 as unknown as net.Server }, logger, traffic });
    this.outer = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.tlsFront.accept(socket));
  }

  listen(): Promise<void> {
    return listenOnce(
      this.outer,
      (done) => this.outer.listen({ port: this.plan.port, host: this.plan.address }, done),
      (err) => this.logger.warn({ err, listener: this.plan.key }, 'listener socket error'),
    );
  }

  update(plan: ListenerSocket): void {
    this.plan = plan;
    this.scope.socket = plan;
    this.tlsFront.setPlan(listenerTlsPlan(plan));
  }

  close(): void {
    this.outer.close();
    this.fronts.retire();
  }

  get connections(): number {
    return this.fronts.connections + this.tlsFront.sessions.size;
  }

  destroyConnections(): void {
    this.fronts.destroy();
    this.tlsFront.destroySessions();
  }
}

/** A listener socket's plan: the listener the SNI picks, and what that listener does with TLS. */
function listenerTlsPlan(socket: ListenerSocket): TlsPlan {
  const targets = new Map<CompiledListener, Extract<TlsTarget, { kind: 'terminate' }>>();
  const terminateWith = (listener: CompiledListener): Extract<TlsTarget, { kind: 'terminate' }> => {
    let target = targets.get(listener);
    if (target === undefined) {
      target = {
        kind: 'terminate',
        protocol: listener.doc.protocol === 'HTTPS' ? 'http' : 'stream',
        identity: listener.id,
        policy: listener.clientAuth,
        certificateFor: (serverName) => listener.certs?.lookup(serverName),
      };
      targets.set(listener, target);
    }
    return target;
  };
  const target = (serverName: string | undefined): TlsTarget | undefined => {
    const listener = socket.byHost.lookup(serverName);
    if (listener === undefined) return undefined;
    if (listener.doc.tls?.mode === 'Passthrough') return { kind: 'passthrough', route: listener.streams?.lookup(serverName) };
    const terminate = terminateWith(listener);
    return terminate.protocol === 'stream' ? { ...terminate, route: listener.streams?.lookup(serverName) } : terminate;
  };
  return {
    key: socket.key,
    // Listeners choose passthrough or termination, and their policies, by SNI: always read it first.
    peek: true,
    direct: { protocol: 'http', policy: undefined },
    target,
    terminated: () => socket.listeners.filter((l) => l.doc.tls?.mode === 'Terminate').map(terminateWith),
  };
}
