import type net from 'node:net';
import type tls from 'node:tls';
import type { SniCertificate } from '../compile/sni-index.js';
import type { CompiledStreamRoute } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { MAX_CLIENT_HELLO, peekClientHelloSni } from '../stream/client-hello-sni.js';
import { readPrefix } from '../stream/read-prefix.js';
import { CLIENT_HELLO_TIMEOUT_MS } from '../stream/tcp-stream-listener.js';
import { proxyTcpStream } from '../stream/tcp-stream-proxy.js';
import { setTlsIdentity } from './tls-identity.js';
import { TlsTerminators, terminatorKey, type ClientCertificatePolicy, type TerminatedProtocol } from './tls-terminators.js';

/** What a TLS connection for one server name becomes. */
export type TlsTarget =
  /** Its bytes go, undecrypted, to a stream route's backend (ssl-passthrough, TLS Passthrough listeners). */
  | { kind: 'passthrough'; route: CompiledStreamRoute | undefined }
  | {
      kind: 'terminate';
      protocol: TerminatedProtocol;
      /** The TLS identity its requests are held to (tls-identity.ts): an ssl document's or a listener's id. */
      identity: string;
      policy: ClientCertificatePolicy | undefined;
      /** Its certificate for a server name (the SNI callback asks). */
      certificateFor(serverName: string | undefined): SniCertificate | undefined;
      /** `stream`: the stream route the decrypted bytes go to (TLS Terminate listeners). */
      route?: CompiledStreamRoute;
    };

/** What one TLS port serves, by server name; a new plan comes with every table. */
export interface TlsPlan {
  /** Names the socket in logs. */
  readonly key: string;
  /**
   * The ClientHello must be read before the handshake: some names pass through, or the
   * identities on the port do not share one client-certificate policy. Otherwise every
   * connection goes straight to the one terminator, `direct`.
   */
  readonly peek: boolean;
  readonly direct: { protocol: TerminatedProtocol; policy: ClientCertificatePolicy | undefined };
  /** The target for a server name (undefined: the client sent none); undefined refuses the connection. */
  target(serverName: string | undefined): TlsTarget | undefined;
  /** Every terminated target of the plan, so unused terminators go and the no-SNI default is set. */
  terminated(): Iterable<Extract<TlsTarget, { kind: 'terminate' }>>;
}

export interface TlsFrontOptions {
  /** Where decrypted HTTP goes: the raw HTTP/1.1 front and the HTTP/2 server, by ALPN. */
  http: { front: net.Server; h2: net.Server };
  logger: Logger;
  /** Counters for passthrough and terminated stream connections. */
  traffic: StreamTraffic;
}

/**
 * The one TLS front, for the main HTTPS port and every Gateway HTTPS/TLS listener socket. Per
 * connection: read the ClientHello's server name when the plan needs it, pass the connection
 * through or terminate it with the terminator for its target's protocol and client-certificate
 * policy (a required certificate fails the handshake), then mark the socket with its TLS
 * identity and hand it on: decrypted HTTP to the HTTP fronts (h2 or http/1.1 by ALPN), where
 * the one SNI/Host rule holds every request to that identity; decrypted streams to their route.
 */
export class TlsFront {
  /** Passthrough and terminated stream connections (HTTP ones are the HTTP fronts'). */
  readonly sessions = new Set<net.Socket>();
  private readonly terminators: TlsTerminators;

  constructor(
    private plan: TlsPlan,
    private readonly opts: TlsFrontOptions,
  ) {
    this.terminators = new TlsTerminators({
      certificateFor: (serverName) => {
        const target = this.plan.target(serverName);
        return target?.kind === 'terminate' ? target.certificateFor(serverName) : undefined;
      },
      secured: (socket) => this.secured(socket),
      logger: opts.logger,
      socketKey: () => this.plan.key,
    });
    this.setPlan(plan);
  }

  setPlan(plan: TlsPlan): void {
    this.plan = plan;
    const keys = new Set<string>([terminatorKey(plan.direct.protocol, plan.direct.policy)]);
    for (const t of plan.terminated()) keys.add(terminatorKey(t.protocol, t.policy));
    const noSni = plan.target(undefined);
    this.terminators.retain(
      keys,
      noSni?.kind === 'terminate' ? { protocol: noSni.protocol, policy: noSni.policy, cert: noSni.certificateFor(undefined) } : undefined,
    );
  }

  /** A new connection of the listening socket (paused or not). */
  accept(socket: net.Socket): void {
    socket.on('error', ignoreError);
    const plan = this.plan;
    if (!plan.peek) return void this.terminators.serverFor(plan.direct.protocol, plan.direct.policy).emit('connection', socket);
    readPrefix(socket, Buffer.alloc(0), MAX_CLIENT_HELLO + 64, CLIENT_HELLO_TIMEOUT_MS, (received, full) => {
      const peek = peekClientHelloSni(received);
      if (peek.kind === 'incomplete' && !full) return undefined;
      const serverName = peek.kind === 'hello' ? peek.serverName : undefined;
      const target = peek.kind === 'hello' ? plan.target(serverName) : undefined;
      if (target === undefined) {
        return () => {
          this.opts.logger.debug(
            { socket: plan.key, serverName, reason: peek.kind === 'invalid' ? peek.reason : 'no certificate or route for this name' },
            'tls: connection refused',
          );
          socket.destroy();
        };
      }
      if (target.kind === 'passthrough') return () => this.pipe(socket, target.route, received);
      return () => {
        // Terminated here: the bytes read go back in front of the stream, which node:tls reads first.
        socket.unshift(received);
        this.terminators.serverFor(target.protocol, target.policy).emit('connection', socket);
      };
    });
  }

  /** Cuts the passthrough and terminated stream connections (HTTP ones belong to the HTTP fronts). */
  destroySessions(): void {
    for (const socket of this.sessions) socket.destroy();
  }

  private secured(socket: tls.TLSSocket): void {
    const target = this.plan.target(socket.servername || undefined);
    if (target === undefined || target.kind !== 'terminate') return void socket.destroy();
    // The terminator refused these already; this covers a plan that started requiring certificates mid-handshake.
    if (target.policy?.verify === 'on' && !socket.authorized) {
      this.opts.logger.debug({ socket: this.plan.key, reason: socket.authorizationError }, 'client certificate refused');
      return void socket.destroy();
    }
    setTlsIdentity(socket, target.identity);
    if (target.protocol === 'stream') return this.pipe(socket, target.route, Buffer.alloc(0));
    if (socket.alpnProtocol === 'h2') this.opts.http.h2.emit('connection', socket);
    else this.opts.http.front.emit('connection', socket);
  }

  private pipe(socket: net.Socket, route: CompiledStreamRoute | undefined, firstBytes: Buffer): void {
    if (route === undefined || !route.allows(socket.remoteAddress)) return void socket.destroy();
    this.sessions.add(socket);
    socket.once('close', () => this.sessions.delete(socket));
    this.opts.traffic.route(route.id).track(socket);
    proxyTcpStream(socket, route, firstBytes, socket);
  }
}

function ignoreError(): void {
  // 'close' follows; the TLS server, the HTTP front or the stream proxy takes over error handling.
}
