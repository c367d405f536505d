import tls from 'node:tls';
import type { CompiledListener } from '../compile/listener-table.js';
import { TLS_SERVER_DEFAULTS, type SniCertificate } from '../compile/sni-index.js';
import type { Logger } from '../observe/logger.js';

/** HTTPS offers ALPN h2 and http/1.1; TLS Terminate carries raw streams. */
export type TerminatorKind = 'https' | 'terminate';

export interface TlsTerminatorsOptions {
  /** The certificate for a ClientHello's server name (the listener it picks, then its certificate). */
  certificateFor(serverName: string): SniCertificate | undefined;
  secured(kind: TerminatorKind, socket: tls.TLSSocket): void;
  logger: Logger;
  /** Names the socket in logs. */
  socketKey(): string;
}

/**
 * The node:tls servers that terminate one listener socket's connections: one per kind and
 * client-certificate policy, made on first use. requestCert and rejectUnauthorized are
 * per-server settings in node:tls, so a listener that requires client certificates gets a
 * server that fails the handshake without a valid one (README §9.6: a 4xx afterwards is not
 * enough), and one with AllowInsecureFallback a server that asks but lets everyone in.
 * Servers per CA also keep one CA's session tickets from resuming on another's listener.
 */
export class TlsTerminators {
  private servers = new Map<string, { server: tls.Server; fallback?: SniCertificate }>();

  constructor(private readonly opts: TlsTerminatorsOptions) {}

  /** The server a connection picked by `listener` is handed to. */
  serverFor(listener: CompiledListener): tls.Server {
    return this.entryFor(listener).server;
  }

  /**
   * Keeps the servers these listeners use, drops the others (their connections carry on), and
   * gives the no-hostname listener's server its certificate for clients that send no SNI.
   */
  update(listeners: readonly CompiledListener[], noSniListener: CompiledListener | undefined): void {
    const wanted = new Set(listeners.filter(terminated).map(keyOf));
    for (const key of this.servers.keys()) if (!wanted.has(key)) this.servers.delete(key);
    if (noSniListener === undefined || !terminated(noSniListener)) return;
    const fallback = noSniListener.certs?.lookup(undefined);
    const entry = this.entryFor(noSniListener);
    if (fallback === undefined || fallback === entry.fallback) return;
    // Node asks SNICallback only when the client sent a name; the rest get the default context.
    entry.server.setSecureContext(fallback.options);
    entry.fallback = fallback;
  }

  private entryFor(listener: CompiledListener): { server: tls.Server; fallback?: SniCertificate } {
    const key = keyOf(listener);
    let entry = this.servers.get(key);
    if (entry === undefined) this.servers.set(key, (entry = { server: this.create(kindOf(listener), listener.clientAuth?.verify) }));
    return entry;
  }

  private create(kind: TerminatorKind, verify: 'on' | 'optional' | undefined): tls.Server {
    const { logger } = this.opts;
    const server = tls.createServer({
      ...TLS_SERVER_DEFAULTS,
      SNICallback: (serverName, done) => {
        const cert = this.opts.certificateFor(serverName);
        if (cert === undefined) done(new Error(`no certificate for ${serverName}`));
        else done(null, cert.context);
      },
      // The CA that verifies clients is in each certificate's context (listener-table).
      requestCert: verify !== undefined,
      rejectUnauthorized: verify === 'on',
      allowHalfOpen: true,
      ...(kind === 'https' ? { ALPNProtocols: ['h2', 'http/1.1'] } : {}),
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => this.opts.secured(kind, socket));
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      logger.debug({ err: err.message, listener: this.opts.socketKey(), ...(verify ? { clientVerify: verify } : {}) }, 'tls handshake failed');
      socket.destroy();
    });
    server.on('error', (err) => logger.warn({ err, listener: this.opts.socketKey() }, 'listener tls error'));
    return server;
  }
}

function terminated(listener: CompiledListener): boolean {
  return listener.doc.tls?.mode === 'Terminate';
}

function kindOf(listener: CompiledListener): TerminatorKind {
  return listener.doc.protocol === 'HTTPS' ? 'https' : 'terminate';
}

function keyOf(listener: CompiledListener): string {
  const auth = listener.clientAuth;
  return auth === undefined ? kindOf(listener) : `${kindOf(listener)}|${auth.verify}|${auth.ca}`;
}
