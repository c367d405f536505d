import type net from 'node:net';
import tls from 'node:tls';
import { TLS_SERVER_DEFAULTS, type SniCertificate, type SniIndex } from '../compile/sni-index.js';
import type { Logger } from '../observe/logger.js';

export interface HttpsListenerOptions {
  /** The HTTP front (raw or node:http) that serves the decrypted HTTP/1.1 connections. */
  front: net.Server;
  /** The HTTP/2 server for connections that chose `h2` by ALPN; without it only http/1.1 is offered. */
  h2?: net.Server;
  logger: Logger;
}

/**
 * The HTTPS port: a TLS server that terminates TLS with the certificate its SNI index picks
 * and hands each decrypted socket to the same HTTP front as the plain port, by emitting
 * 'connection' on it (both fronts accept injected sockets). Routes, plugins and WebSocket so
 * work unchanged, and `socket.encrypted` makes X-Forwarded-Proto say https. New handshakes see
 * a new index as soon as `setIndex` is called; open connections keep theirs.
 */
export class HttpsListener {
  readonly server: tls.Server;
  private index: SniIndex | undefined = undefined;
  private fallback: SniCertificate | undefined = undefined;

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
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): void {
    this.server.close();
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
