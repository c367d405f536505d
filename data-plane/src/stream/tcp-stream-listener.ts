import net from 'node:net';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { MAX_CLIENT_HELLO, peekClientHelloSni } from './client-hello-sni.js';
import type { ProxiedConnection } from './proxy-protocol-header.js';
import { MAX_V2_HEADER, parseProxyProtocolHeader } from './proxy-protocol-parser.js';
import { readPrefix } from './read-prefix.js';
import { proxyTcpStream } from './tcp-stream-proxy.js';

/** How long a `tls` port waits for a complete ClientHello before giving up on the client. */
export const CLIENT_HELLO_TIMEOUT_MS = 5_000;
/** How long a port that accepts PROXY protocol waits for the load balancer's header. */
export const PROXY_HEADER_TIMEOUT_MS = 5_000;

/**
 * One listening TCP port of `tcp` or `tls` (passthrough) stream routes. Its port plan can be
 * replaced while it listens: new connections follow the new plan, open ones keep their
 * route. `close()` stops accepting and leaves open connections to finish. With
 * `acceptProxyProtocol`, a load balancer's PROXY header is read and stripped first, and its
 * client address stands for the socket's in everything that follows.
 */
export class TcpStreamListener {
  readonly sessions = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(
    private plan: StreamPort,
    private readonly host: string | undefined,
    private readonly logger: Logger,
    private readonly traffic: StreamTraffic,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.plan.port, host: this.host }, () => {
        this.server.removeListener('error', reject);
        // After listening, an error (EMFILE on accept...) is logged, never thrown.
        this.server.on('error', (err) => this.logger.warn({ err, port: this.plan.port }, 'stream listener error'));
        resolve();
      });
    });
  }

  update(plan: StreamPort): void {
    this.plan = plan;
  }

  close(): void {
    this.server.close();
  }

  destroySessions(): void {
    for (const socket of this.sessions) socket.destroy();
  }

  private accept(socket: net.Socket): void {
    socket.on('error', ignoreError);
    this.sessions.add(socket);
    socket.once('close', () => this.sessions.delete(socket));
    const plan = this.plan;
    if (!plan.acceptProxyProtocol) return this.route(socket, plan, socket, Buffer.alloc(0));
    readPrefix(socket, Buffer.alloc(0), MAX_V2_HEADER, PROXY_HEADER_TIMEOUT_MS, (received) => {
      const parsed = parseProxyProtocolHeader(received);
      if (parsed.kind === 'incomplete') return undefined;
      if (parsed.kind === 'invalid') {
        return () => {
          this.logger.debug({ port: plan.port, remote: socket.remoteAddress, reason: parsed.reason }, 'stream: no valid PROXY protocol header');
          socket.destroy();
        };
      }
      const peer: ProxiedConnection = parsed.addresses ?? socket;
      return () => this.route(socket, plan, peer, received.subarray(parsed.length));
    });
  }

  /** Picks the route (by SNI on `tls` ports) for a client whose first bytes are `pending`. */
  private route(socket: net.Socket, plan: StreamPort, peer: ProxiedConnection, pending: Buffer): void {
    if (plan.protocol !== 'tls') return this.forward(socket, plan.routeFor(undefined), peer, pending);
    // TLS passthrough: buffer the ClientHello (it may arrive in pieces) until its SNI is known.
    readPrefix(socket, pending, MAX_CLIENT_HELLO + 64, CLIENT_HELLO_TIMEOUT_MS, (received, full) => {
      const peek = peekClientHelloSni(received);
      if (peek.kind === 'incomplete' && !full) return undefined;
      if (peek.kind !== 'hello') {
        return () => {
          this.logger.debug({ port: plan.port, reason: peek.kind === 'invalid' ? peek.reason : 'ClientHello too large' }, 'tls stream: no usable ClientHello');
          socket.destroy();
        };
      }
      return () => this.forward(socket, plan.routeFor(peek.serverName), peer, received);
    });
  }

  private forward(socket: net.Socket, route: ReturnType<StreamPort['routeFor']>, peer: ProxiedConnection, pending: Buffer): void {
    if (route === undefined || !route.allows(peer.remoteAddress)) return void socket.destroy();
    this.traffic.route(route.id).track(socket);
    proxyTcpStream(socket, route, pending, peer);
  }
}

function ignoreError(): void {
  // 'close' follows and carries the consequences.
}
