import net from 'node:net';
import type tls from 'node:tls';
import type { CompiledListener, ListenerSocket } from '../compile/listener-table.js';
import type { SniCertificate } from '../compile/sni-index.js';
import type { CompiledStreamRoute } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import type { HttpProxy, ScopedFront } from '../proxy/http-proxy.js';
import { MAX_CLIENT_HELLO, peekClientHelloSni } from '../stream/client-hello-sni.js';
import { readPrefix } from '../stream/read-prefix.js';
import { proxyTcpStream } from '../stream/tcp-stream-proxy.js';
import { CLIENT_HELLO_TIMEOUT_MS } from '../stream/tcp-stream-listener.js';
import { LISTENER_FRONT_OPTIONS } from './http-listener-socket.js';
import { listenOnce, type ListenerSocketHandle } from './listener-socket-handle.js';
import { ListenerRouteScope } from './listener-route-scope.js';
import { TlsTerminators } from './tls-terminators.js';

/**
 * A socket of HTTPS and TLS listeners sharing one address:port. Every connection's ClientHello
 * is peeked first and its SNI picks the listener (exact hostname, longest wildcard, else the
 * one without hostname); then:
 * - TLS Passthrough: the raw bytes go to the listener's stream route for that SNI;
 * - HTTPS: TLS is terminated with only that listener's certificates (ALPN h2, http/1.1) and
 *   the decrypted socket goes to the same proxy, routed by the listeners of this socket;
 * - TLS Terminate: TLS is terminated and the plaintext piped to the stream route's backend.
 * A terminated listener with `tls.clientCa` asks for a client certificate in the handshake
 * and, unless its clientVerify is `optional`, fails the handshake without a valid one.
 */
export class TlsListenerSocket implements ListenerSocketHandle {
  private readonly outer: net.Server;
  /** The TLS servers of the terminated listeners (by kind and client-certificate policy). */
  private readonly terminators: TlsTerminators;
  private readonly scope: ListenerRouteScope;
  private readonly fronts: ScopedFront;
  /** Passthrough and terminated stream connections (HTTP ones are the proxy's). */
  private readonly sessions = new Set<net.Socket>();

  constructor(
    private plan: ListenerSocket,
    proxy: HttpProxy,
    private readonly logger: Logger,
    private readonly traffic: StreamTraffic,
  ) {
    this.scope = new ListenerRouteScope(plan);
    this.fronts = proxy.createScopedFront(this.scope, LISTENER_FRONT_OPTIONS);
    this.terminators = new TlsTerminators({
      certificateFor: (serverName) => this.certificateFor(serverName),
      secured: (kind, socket) => (kind === 'https' ? this.securedHttp(socket) : this.securedStream(socket)),
      logger,
      socketKey: () => this.plan.key,
    });
    this.outer = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.setDefaultContexts();
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
    this.setDefaultContexts();
  }

  close(): void {
    this.outer.close();
    this.fronts.retire();
  }

  get connections(): number {
    return this.fronts.connections + this.sessions.size;
  }

  destroyConnections(): void {
    this.fronts.destroy();
    for (const socket of this.sessions) socket.destroy();
  }

  /** Clients that send no SNI get the no-hostname listener's server and certificate. */
  private setDefaultContexts(): void {
    this.terminators.update(this.plan.listeners, this.plan.byHost.lookup(undefined));
  }

  private certificateFor(serverName: string | undefined): SniCertificate | undefined {
    return this.plan.byHost.lookup(serverName)?.certs?.lookup(serverName);
  }

  private accept(socket: net.Socket): void {
    socket.on('error', ignoreError);
    const plan = this.plan;
    readPrefix(socket, Buffer.alloc(0), MAX_CLIENT_HELLO + 64, CLIENT_HELLO_TIMEOUT_MS, (received, full) => {
      const peek = peekClientHelloSni(received);
      if (peek.kind === 'incomplete' && !full) return undefined;
      const serverName = peek.kind === 'hello' ? peek.serverName : undefined;
      const listener = peek.kind === 'hello' ? plan.byHost.lookup(serverName) : undefined;
      if (listener === undefined) {
        return () => {
          this.logger.debug({ listener: plan.key, serverName, reason: peek.kind === 'invalid' ? peek.reason : 'no listener for this name' }, 'tls listener: connection refused');
          socket.destroy();
        };
      }
      if (listener.doc.tls?.mode === 'Passthrough') return () => this.pipe(socket, routeFor(listener, serverName), received);
      return () => {
        // Terminated here: the bytes read go back in front of the stream, which node:tls reads first.
        socket.unshift(received);
        this.terminators.serverFor(listener).emit('connection', socket);
      };
    });
  }

  private securedHttp(socket: tls.TLSSocket): void {
    const serverName = socket.servername || undefined;
    if (this.certificateFor(serverName) === undefined || unverified(this.plan.byHost.lookup(serverName), socket)) return void socket.destroy();
    if (socket.alpnProtocol === 'h2') this.fronts.h2.emit('connection', socket);
    else this.fronts.front.emit('connection', socket);
  }

  private securedStream(socket: tls.TLSSocket): void {
    const serverName = socket.servername || undefined;
    const listener = this.plan.byHost.lookup(serverName);
    if (unverified(listener, socket)) return void socket.destroy();
    this.pipe(socket, listener === undefined ? undefined : routeFor(listener, serverName), Buffer.alloc(0));
  }

  private pipe(socket: net.Socket, route: CompiledStreamRoute | undefined, firstBytes: Buffer): void {
    if (route === undefined || !route.allows(socket.remoteAddress)) return void socket.destroy();
    this.sessions.add(socket);
    socket.once('close', () => this.sessions.delete(socket));
    this.traffic.route(route.id).track(socket);
    proxyTcpStream(socket, route, firstBytes, socket);
  }
}

function routeFor(listener: CompiledListener, serverName: string | undefined): CompiledStreamRoute | undefined {
  return listener.streams?.lookup(serverName);
}

/** The server already refused these; this covers a plan that started requiring certificates mid-handshake. */
function unverified(listener: CompiledListener | undefined, socket: tls.TLSSocket): boolean {
  return listener?.clientAuth?.verify === 'on' && !socket.authorized;
}

function ignoreError(): void {
  // 'close' follows; the TLS server, the proxy or the stream proxy takes over error handling.
}
