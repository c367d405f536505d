import net from 'node:net';
import tls from 'node:tls';
import type { CompiledListener, ListenerSocket } from '../compile/listener-table.js';
import { TLS_SERVER_DEFAULTS, type SniCertificate } from '../compile/sni-index.js';
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

/**
 * A socket of HTTPS and TLS listeners sharing one address:port. Every connection's ClientHello
 * is peeked first and its SNI picks the listener (exact hostname, longest wildcard, else the
 * one without hostname); then:
 * - TLS Passthrough: the raw bytes go to the listener's stream route for that SNI;
 * - HTTPS: TLS is terminated with only that listener's certificates (ALPN h2, http/1.1) and
 *   the decrypted socket goes to the same proxy, routed by the listeners of this socket;
 * - TLS Terminate: TLS is terminated and the plaintext piped to the stream route's backend.
 */
export class TlsListenerSocket implements ListenerSocketHandle {
  private readonly outer: net.Server;
  /** HTTPS listeners: offers h2 and http/1.1. */
  private readonly https: tls.Server;
  /** TLS Terminate listeners: raw streams, no ALPN. */
  private readonly terminate: tls.Server;
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
    const sni = (serverName: string, done: (err: Error | null, ctx?: tls.SecureContext) => void) => {
      const cert = this.certificateFor(serverName);
      if (cert === undefined) done(new Error(`no certificate for ${serverName}`));
      else done(null, cert.context);
    };
    const common = { ...TLS_SERVER_DEFAULTS, SNICallback: sni, requestCert: false, rejectUnauthorized: false, allowHalfOpen: true };
    this.https = tls.createServer({ ...common, ALPNProtocols: ['h2', 'http/1.1'] });
    this.terminate = tls.createServer(common);
    this.https.on('secureConnection', (socket: tls.TLSSocket) => this.securedHttp(socket));
    this.terminate.on('secureConnection', (socket: tls.TLSSocket) => this.securedStream(socket));
    for (const server of [this.https, this.terminate]) {
      server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
        this.logger.debug({ err: err.message, listener: this.plan.key }, 'tls handshake failed');
        socket.destroy();
      });
      server.on('error', (err) => this.logger.warn({ err, listener: this.plan.key }, 'listener tls error'));
    }
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

  /** Node asks SNICallback only when the client sent a name; the rest get the default listener's certificate. */
  private setDefaultContexts(): void {
    const fallback = this.plan.byHost.lookup(undefined)?.certs?.lookup(undefined);
    if (fallback === undefined) return;
    this.https.setSecureContext(fallback.options);
    this.terminate.setSecureContext(fallback.options);
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
        (listener.doc.protocol === 'HTTPS' ? this.https : this.terminate).emit('connection', socket);
      };
    });
  }

  private securedHttp(socket: tls.TLSSocket): void {
    if (this.certificateFor(socket.servername || undefined) === undefined) return void socket.destroy();
    if (socket.alpnProtocol === 'h2') this.fronts.h2.emit('connection', socket);
    else this.fronts.front.emit('connection', socket);
  }

  private securedStream(socket: tls.TLSSocket): void {
    const serverName = socket.servername || undefined;
    const listener = this.plan.byHost.lookup(serverName);
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

function ignoreError(): void {
  // 'close' follows; the TLS server, the proxy or the stream proxy takes over error handling.
}
