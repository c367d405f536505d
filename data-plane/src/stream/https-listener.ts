import net from 'node:net';
import tls from 'node:tls';
import { TLS_SERVER_DEFAULTS, type SniCertificate, type SniIndex } from '../compile/sni-index.js';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { MAX_CLIENT_HELLO, peekClientHelloSni } from './client-hello-sni.js';
import { readPrefix } from './read-prefix.js';
import { proxyTcpStream } from './tcp-stream-proxy.js';
import { CLIENT_HELLO_TIMEOUT_MS } from './tcp-stream-listener.js';

export interface HttpsListenerOptions {
  /** The HTTP front (raw or node:http) that serves the decrypted HTTP/1.1 connections. */
  front: net.Server;
  /** The HTTP/2 server for connections that chose `h2` by ALPN; without it only http/1.1 is offered. */
  h2?: net.Server;
  logger: Logger;
  /** Counters for connections passed through to `tls` stream routes. */
  traffic?: StreamTraffic;
}

/**
 * The HTTPS port: a TLS server that terminates TLS with the certificate its SNI index picks
 * and hands each decrypted socket to the same HTTP front as the plain port, by emitting
 * 'connection' on it (both fronts accept injected sockets). Routes, plugins and WebSocket so
 * work unchanged, and `socket.encrypted` makes X-Forwarded-Proto say https. New handshakes see
 * a new index as soon as `setIndex` is called; open connections keep theirs.
 *
 * TLS passthrough (ingress-nginx ssl-passthrough): `tls` stream routes on this same port claim
 * server names. While some do, each connection's ClientHello is peeked first and a claimed
 * name's raw bytes are piped to that route's backend, never decrypted; other names are
 * terminated as usual. While none do, sockets go straight to TLS without any peeking.
 */
export class HttpsListener {
  /** The TLS server; it never listens itself, sockets are handed to it by `outer`. */
  readonly server: tls.Server;
  /** The listening socket, which decides per connection: passthrough or termination. */
  private readonly outer: net.Server;
  private index: SniIndex | undefined = undefined;
  private fallback: SniCertificate | undefined = undefined;
  private passthrough: StreamPort | undefined = undefined;

  constructor(private readonly opts: HttpsListenerOptions) {
    this.server = tls.createServer({
      ...TLS_SERVER_DEFAULTS,
      ALPNProtocols: opts.h2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      SNICallback: (serverName, done) => this.chooseContext(serverName, done),
      // Client certificates are asked for only while some ssl document wants them, and checked per SNI after the handshake.
      requestCert: false,
      rejectUnauthorized: false,
      allowHalfOpen: true,
    });
    this.server.on('secureConnection', (socket: tls.TLSSocket) => this.secured(socket));
    this.server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      opts.logger.debug({ err: err.message, remote: socket.remoteAddress }, 'tls handshake failed');
      socket.destroy();
    });
    this.server.on('error', (err) => opts.logger.warn({ err }, 'https listener error'));
    this.outer = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  /** The `tls` stream routes of this port (their SNIs are passed through), or undefined for none. */
  setPassthrough(plan: StreamPort | undefined): void {
    this.passthrough = plan !== undefined && plan.protocol === 'tls' && plan.routes.length > 0 ? plan : undefined;
  }

  get passthroughRoutes(): number {
    return this.passthrough?.routes.length ?? 0;
  }

  setIndex(index: SniIndex | undefined): void {
    this.index = index;
    // Node asks SNICallback only when the client sent a name; the rest get the server's default context.
    const fallback = index?.fallback;
    if (fallback !== undefined && fallback !== this.fallback) this.server.setSecureContext(fallback.options);
    this.fallback = fallback;
    (this.server as tls.Server & { requestCert: boolean }).requestCert = index?.anyClientCert === true;
  }

  listen(port: number, host: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      this.outer.once('error', reject);
      this.outer.listen(port, host, () => {
        this.outer.removeListener('error', reject);
        this.outer.on('error', (err) => this.opts.logger.warn({ err }, 'https listener error'));
        resolve((this.outer.address() as net.AddressInfo).port);
      });
    });
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.outer.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  close(): void {
    this.outer.close();
    this.server.close();
  }

  private accept(socket: net.Socket): void {
    const plan = this.passthrough;
    if (plan === undefined) return void this.server.emit('connection', socket);
    socket.on('error', ignoreError);
    readPrefix(socket, Buffer.alloc(0), MAX_CLIENT_HELLO + 64, CLIENT_HELLO_TIMEOUT_MS, (received, full) => {
      const peek = peekClientHelloSni(received);
      if (peek.kind === 'incomplete' && !full) return undefined;
      const route = peek.kind === 'hello' && peek.serverName !== undefined ? plan.routeFor(peek.serverName) : undefined;
      // Only a route that names this SNI takes it: an SNI-less `tls` route must not swallow the HTTPS port.
      if (route !== undefined && route.route.sni !== undefined) {
        return () => {
          if (!route.allows(socket.remoteAddress)) return void socket.destroy();
          this.opts.traffic?.route(route.id).track(socket);
          proxyTcpStream(socket, route, received, socket);
        };
      }
      // Terminated here: the bytes read go back in front of the stream, which node:tls reads first.
      return () => {
        socket.unshift(received);
        this.server.emit('connection', socket);
      };
    });
  }

  private chooseContext(serverName: string, done: (err: Error | null, ctx?: tls.SecureContext) => void): void {
    const cert = this.index?.lookup(serverName);
    if (cert === undefined) done(new Error(`no certificate for ${serverName}`));
    else done(null, cert.context);
  }

  private secured(socket: tls.TLSSocket): void {
    const cert = this.index?.lookup(socket.servername || undefined);
    if (cert === undefined && this.fallback === undefined) return void socket.destroy();
    if ((cert ?? this.fallback)?.requireClientCert === true && !socket.authorized) {
      this.opts.logger.debug({ remote: socket.remoteAddress, reason: socket.authorizationError }, 'client certificate refused');
      return void socket.destroy();
    }
    if (socket.alpnProtocol === 'h2' && this.opts.h2) this.opts.h2.emit('connection', socket);
    else this.opts.front.emit('connection', socket);
  }
}

function ignoreError(): void {
  // 'close' follows; the TLS server or the stream proxy takes over error handling.
}
