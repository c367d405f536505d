import tls from 'node:tls';
import { TLS_SERVER_DEFAULTS, type SniCertificate } from '../compile/sni-index.js';
import type { Logger } from '../observe/logger.js';

/** What a terminated connection carries: HTTP (ALPN h2 and http/1.1) or a raw stream (TLS Terminate). */
export type TerminatedProtocol = 'http' | 'stream';

/**
 * How a TLS identity treats client certificates: `on` fails the handshake without a valid one,
 * `optional` asks and lets everyone in. The CA that verifies them is in each certificate's
 * context (Node verifies against the context the SNI callback chose); `ca` keys the server.
 */
export interface ClientCertificatePolicy {
  verify: 'on' | 'optional';
  ca: string;
}

export interface TlsTerminatorsOptions {
  /** The certificate for a ClientHello's server name. */
  certificateFor(serverName: string): SniCertificate | undefined;
  secured(socket: tls.TLSSocket): void;
  logger: Logger;
  /** Names the socket in logs. */
  socketKey(): string;
}

/**
 * The node:tls servers that terminate one TLS front's connections: one per protocol and
 * client-certificate policy, made on first use. requestCert and rejectUnauthorized are
 * per-server settings in node:tls, so an identity that requires client certificates gets a
 * server that fails the handshake without a valid one (a 4xx afterwards is not enough), and an
 * optional one a server that asks but lets everyone in. Servers per CA also keep one CA's
 * session tickets from resuming on another's names.
 */
export class TlsTerminators {
  private servers = new Map<string, { server: tls.Server; fallback?: SniCertificate }>();

  constructor(private readonly opts: TlsTerminatorsOptions) {}

  /** The server a connection for this protocol and policy is handed to. */
  serverFor(protocol: TerminatedProtocol, policy: ClientCertificatePolicy | undefined): tls.Server {
    return this.entryFor(protocol, policy).server;
  }

  /**
   * Keeps the servers of these keys, drops the others (their connections carry on), and gives
   * the server clients without SNI reach its default certificate.
   */
  retain(
    wanted: ReadonlySet<string>,
    noSni: { protocol: TerminatedProtocol; policy: ClientCertificatePolicy | undefined; cert: SniCertificate | undefined } | undefined,
  ): void {
    for (const key of this.servers.keys()) if (!wanted.has(key)) this.servers.delete(key);
    if (noSni === undefined || noSni.cert === undefined) return;
    const entry = this.entryFor(noSni.protocol, noSni.policy);
    if (noSni.cert === entry.fallback) return;
    // Node asks SNICallback only when the client sent a name; the rest get the server's default context.
    entry.server.setSecureContext(noSni.cert.options);
    entry.fallback = noSni.cert;
  }

  private entryFor(protocol: TerminatedProtocol, policy: ClientCertificatePolicy | undefined): { server: tls.Server; fallback?: SniCertificate } {
    const key = terminatorKey(protocol, policy);
    let entry = this.servers.get(key);
    if (entry === undefined) this.servers.set(key, (entry = { server: this.create(protocol, policy?.verify) }));
    return entry;
  }

  private create(protocol: TerminatedProtocol, verify: 'on' | 'optional' | undefined): tls.Server {
    const { logger } = this.opts;
    const server = tls.createServer({
      ...TLS_SERVER_DEFAULTS,
      SNICallback: (serverName, done) => {
        const cert = this.opts.certificateFor(serverName);
        if (cert === undefined) done(new Error(`no certificate for ${serverName}`));
        else done(null, cert.context);
      },
      requestCert: verify !== undefined,
      rejectUnauthorized: verify === 'on',
      allowHalfOpen: true,
      ...(protocol === 'http' ? { ALPNProtocols: ['h2', 'http/1.1'] } : {}),
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => this.opts.secured(socket));
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      logger.debug({ err: err.message, socket: this.opts.socketKey(), ...(verify ? { clientVerify: verify } : {}) }, 'tls handshake failed');
      socket.destroy();
    });
    server.on('error', (err) => logger.warn({ err, socket: this.opts.socketKey() }, 'tls error'));
    return server;
  }
}

/** One server per protocol and policy (with its CA). */
export function terminatorKey(protocol: TerminatedProtocol, policy: ClientCertificatePolicy | undefined): string {
  return policy === undefined ? protocol : `${protocol}|${policy.verify}|${policy.ca}`;
}
