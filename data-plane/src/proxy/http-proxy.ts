import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders as H2Headers, type ServerHttp2Stream } from 'node:http2';
import { CLIENT_TRAFFIC_DEFAULTS, type ClientLimits } from '../compile/client-traffic.js';
import type { RoutingTable } from '../compile/types.js';
import { rawBadRequest } from './error-responses.js';
import type { ClientSide, FrontHandler } from './front/client-side.js';
import { FrontRequest } from './front/front-request.js';
import { H2StreamClient } from './front/h2-stream-client.js';
import { NodeClient } from './front/node-client.js';
import { NodeUpgradeClient } from './front/node-upgrade-client.js';
import { createRawFront, type RawFrontOptions, type RawFrontServer } from './front/raw-front.js';
import { H2UpstreamSessions } from './h2-upstream-sessions.js';
import { RequestPipeline, type PipelineHost } from './pipeline/request-pipeline.js';
import { MAIN_ROUTE_SCOPE, type RouteScope } from './pipeline/route-scope.js';
import type { ProxyExchange } from './proxy-exchange.js';
import { Tunnel, type TunnelHost } from './tunnel.js';
import { UpstreamPools } from './upstream-pools.js';

export interface HttpProxyOptions {
  /** Read once per request; undefined before the first config (→ 503). */
  getTable(): RoutingTable | undefined;
  /**
   * Metrics hook, called once per request. For proxied requests also the time on the upstream
   * (first attempt to the end of its response, all attempts) and the body bytes in and out.
   */
  onRequestDone?(routeId: string | undefined, status: number, durationMs: number, upstreamMs?: number, requestBytes?: number, responseBytes?: number): void;
  logger?: { debug?(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** The HTTP/1.1 and HTTP/2 servers of one listener socket (they never listen themselves: sockets are handed to them). */
export interface ScopedFront {
  readonly front: RawFrontServer;
  readonly h2: Http2Server;
  /** Connections (HTTP/1.1 and HTTP/2) still open on it. */
  readonly connections: number;
  /** Ends it gently: idle connections close now and as they become idle, HTTP/2 sessions get GOAWAY; in-flight requests finish. */
  retire(): void;
  /** Cuts every connection on it (shutdown after the grace period). */
  destroy(): void;
}

export interface HttpProxy {
  handleRequest(client: ClientSide): void;
  /** node:http front: wires 'request', 'checkContinue', 'upgrade' and 'clientError' and tracks the server's connections for drain. */
  attach(server: HttpServer | HttpsServer): void;
  /** The raw HTTP/1.1 front: a `net.Server` (not yet listening) serving this proxy, tracked for drain. */
  createRawServer(opts?: RawFrontOptions): RawFrontServer;
  /** The fronts of a Gateway listener socket: the same proxy, with its routes chosen by `scope`. */
  createScopedFront(scope: RouteScope, opts?: RawFrontOptions): ScopedFront;
  /** The HTTP/2 server (h2c prior knowledge from the raw front, h2 from the HTTPS listener by ALPN). */
  readonly h2: Http2Server;
  /** Graceful shutdown: finish in-flight requests, close idle and finished connections, end tunnels by `graceMs`. */
  drain(graceMs: number): Promise<void>;
  /** Destroys the upstream keep-alive pools. */
  close(): void;
  /** Requests and tunnels in flight, and idle upstream sockets (for status and tests). */
  stats(): { inFlight: number; tunnels: number; idleUpstreamSockets: number };
}

type TrackedSocket = Socket & { sluiceProxy?: HttpProxyCore };

export function createHttpProxy(opts: HttpProxyOptions): HttpProxy {
  const core = new HttpProxyCore(opts);
  return {
    handleRequest: (client) => core.handleRequest(client),
    attach: (server) => core.attach(server),
    createRawServer: (rawOpts) => core.createRawServer(rawOpts),
    createScopedFront: (scope, rawOpts) => core.createScopedFront(scope, rawOpts),
    h2: core.h2,
    drain: (graceMs) => core.drain(graceMs),
    close: () => core.close(),
    stats: () => ({ inFlight: core.inFlight, tunnels: core.tunnels.size, idleUpstreamSockets: core.pools.idleCount }),
  };
}

/** What drain needs of a front server (node:http's and the raw front both have it). */
type FrontServer = { closeIdleConnections(): void; closeLongIdleConnections?(): void };

/** How often a drain looks for connections that stayed idle (see FrontConnection.closeIfLongIdle). */
const DRAIN_SWEEP_MS = 200;

/**
 * The proxy's shared state, one per worker: the fronts it serves (raw HTTP/1.1, node:http,
 * HTTP/2, per-listener scoped fronts), the upstream pools and sessions, the open tunnels, and
 * drain. Every request of every front goes through its one `RequestPipeline`; requests hold
 * only their `ProxyExchange`.
 */
class HttpProxyCore implements PipelineHost, TunnelHost, FrontHandler {
  readonly pools = new UpstreamPools();
  readonly h2Upstreams = new H2UpstreamSessions();
  readonly tunnels = new Set<Tunnel>();
  draining = false;
  inFlight = 0;
  readonly logger: HttpProxyOptions['logger'];
  private readonly pipeline: RequestPipeline;
  private readonly servers: FrontServer[] = [];
  private readonly sockets = new Set<TrackedSocket>();
  private drained: (() => void) | undefined = undefined;
  private graceTimer: NodeJS.Timeout | undefined = undefined;
  private drainSweep: NodeJS.Timeout | undefined = undefined;

  /**
   * One plain HTTP/2 server for every HTTP/2 connection: TLS is already terminated by the TLS
   * front, and h2c arrives from the raw front; requests then take the same pipeline as
   * HTTP/1.1 ones through an `H2StreamClient` (the stream API: no compatibility objects).
   */
  readonly h2: Http2Server = http2.createServer();
  private readonly h2Sessions = new Set<Http2Session>();

  constructor(private readonly opts: HttpProxyOptions) {
    this.logger = opts.logger;
    this.pipeline = new RequestPipeline(this);
    this.wireH2(this.h2, MAIN_ROUTE_SCOPE, this.h2Sessions);
  }

  getTable(): RoutingTable | undefined {
    return this.opts.getTable();
  }

  onRequestDone(routeId: string | undefined, status: number, durationMs: number): void {
    this.opts.onRequestDone?.(routeId, status, durationMs);
  }

  get clientLimits(): ClientLimits {
    return (this.opts.getTable()?.clientTraffic ?? CLIENT_TRAFFIC_DEFAULTS).limits;
  }

  /** Serves an HTTP/2 server's requests with the main routes, or a listener's (`scope`). */
  private wireH2(h2: Http2Server, scope: RouteScope, sessions: Set<Http2Session>): void {
    h2.on('stream', (stream: ServerHttp2Stream, headers: H2Headers, _flags: number, rawHeaders: string[]) =>
      this.pipeline.handle(new H2StreamClient(stream, headers, rawHeaders), scope),
    );
    h2.on('connection', (socket: TrackedSocket) => this.trackSocket(socket));
    h2.on('session', (session: Http2Session) => {
      sessions.add(session);
      this.h2Sessions.add(session);
      session.once('close', () => {
        sessions.delete(session);
        this.h2Sessions.delete(session);
      });
      session.on('error', ignoreError);
      if (this.draining) session.close();
    });
  }

  handleH2c(socket: Socket, firstBytes: Buffer, h2: Http2Server = this.h2): void {
    // The bytes already read go back in front of the stream (paused, so nothing flows away),
    // and node:http2 replays a socket's buffered bytes into the new session.
    socket.pause();
    socket.unshift(firstBytes);
    h2.emit('connection', socket);
  }

  handleRequest(client: ClientSide, scope: RouteScope = MAIN_ROUTE_SCOPE): void {
    this.pipeline.handle(client, scope);
  }

  exchangeDone(exchange: ProxyExchange, status: number): void {
    this.inFlight--;
    const ms = performance.now() - exchange.startedAt;
    this.opts.onRequestDone?.(exchange.route.id, status, ms, exchange.upstreamMs, exchange.requestBodyBytes, exchange.bodyBytes);
    const plugins = exchange.plugins;
    if (plugins !== undefined) {
      plugins.bytesSent = exchange.bodyBytes;
      plugins.chain!.runLog(plugins, status, ms);
    }
    if (this.draining) {
      // Responses whose head went out before the drain began did not say `Connection: close`.
      // (The raw front's sweep closes them once idle; node:http's connections are ended here.)
      const socket = exchange.client.socket;
      if (!(exchange.client instanceof FrontRequest) && !socket.destroyed && status !== 101) socket.destroySoon();
      this.checkDrained();
    }
  }

  openTunnel(client: Socket, upstream: Socket, idleMs: number, clientPending: Buffer, upstreamPending: Buffer): void {
    this.tunnels.add(new Tunnel(this, client, upstream, idleMs, clientPending, upstreamPending));
  }

  tunnelClosed(tunnel: Tunnel): void {
    this.tunnels.delete(tunnel);
    if (this.draining) this.checkDrained();
  }

  attach(server: HttpServer | HttpsServer): void {
    this.servers.push(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handleRequest(new NodeClient(req, res)));
    // Without this listener node:http answers `100 Continue` itself, before any access phase ran.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.handleRequest(new NodeClient(req, res, undefined, true)));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleNodeUpgrade(req, socket as Socket, head));
    server.on('clientError', onClientError);
    server.on('connection', (socket: TrackedSocket) => this.trackSocket(socket));
  }

  /** node:http hands an upgrade over with its raw socket: it still runs the one pipeline. */
  private handleNodeUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', ignoreError);
    const headers = req.headers;
    const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (req.method === 'CONNECT' || hasBody) {
      socket.end(rawBadRequest);
      return;
    }
    this.handleRequest(new NodeUpgradeClient(req, socket, head));
  }

  createRawServer(opts: RawFrontOptions | undefined): RawFrontServer {
    const server = createRawFront(this, opts);
    this.servers.push(server);
    server.on('connection', (socket: TrackedSocket) => this.trackSocket(socket));
    return server;
  }

  createScopedFront(scope: RouteScope, opts: RawFrontOptions | undefined): ScopedFront {
    const h2 = http2.createServer();
    const sessions = new Set<Http2Session>();
    this.wireH2(h2, scope, sessions);
    const core = this;
    const handler: FrontHandler = {
      get draining() {
        return core.draining;
      },
      get clientLimits() {
        return core.clientLimits;
      },
      handleRequest: (client) => this.handleRequest(client, scope),
      handleH2c: (socket, firstBytes) => this.handleH2c(socket, firstBytes, h2),
    };
    const front = createRawFront(handler, opts);
    this.servers.push(front);
    front.on('connection', (socket: TrackedSocket) => this.trackSocket(socket));
    let sweep: NodeJS.Timeout | undefined;
    const forget = () => {
      clearInterval(sweep);
      const i = this.servers.indexOf(front);
      if (i >= 0) this.servers.splice(i, 1);
    };
    return {
      front,
      h2,
      get connections() {
        return front.connectionCount + sessions.size;
      },
      retire: () => {
        for (const session of sessions) session.close();
        front.closeIdleConnections();
        // Keep-alive connections close once their in-flight request is answered; the sweep stops when none are left.
        sweep = setInterval(() => {
          front.closeLongIdleConnections();
          if (front.connectionCount + sessions.size === 0) forget();
        }, DRAIN_SWEEP_MS);
        sweep.unref();
      },
      destroy: () => {
        for (const session of sessions) session.destroy();
        front.closeAllConnections();
        forget();
      },
    };
  }

  trackSocket(socket: TrackedSocket): void {
    if (socket.sluiceProxy === this) return; // an h2c socket was tracked by the raw front already
    socket.sluiceProxy = this;
    this.sockets.add(socket);
    socket.on('close', onTrackedSocketClose);
  }

  socketClosed(socket: TrackedSocket): void {
    this.sockets.delete(socket);
    if (this.draining) this.checkDrained();
  }

  drain(graceMs: number): Promise<void> {
    this.draining = true;
    // HTTP/2 has a real "going away": GOAWAY lets open streams finish and stops new ones.
    for (const session of this.h2Sessions) session.close();
    this.sweepIdle();
    this.drainSweep = setInterval(() => {
      this.sweepIdle();
      this.checkDrained();
    }, DRAIN_SWEEP_MS);
    return new Promise<void>((resolve) => {
      this.drained = resolve;
      this.graceTimer = setTimeout(() => this.forceClose(), graceMs);
      this.checkDrained();
    });
  }

  /** The raw front closes idle connections gently; node:http's front can only close them at once. */
  private sweepIdle(): void {
    for (const server of this.servers) {
      if (server.closeLongIdleConnections) server.closeLongIdleConnections();
      else server.closeIdleConnections();
    }
  }

  close(): void {
    this.pools.close();
    this.h2Upstreams.close();
  }

  private checkDrained(): void {
    if (this.drained === undefined) return;
    if (this.inFlight === 0 && this.tunnels.size === 0 && this.sockets.size === 0) this.finishDrain();
  }

  private forceClose(): void {
    for (const tunnel of [...this.tunnels]) tunnel.close();
    for (const socket of [...this.sockets]) socket.destroy();
    this.finishDrain();
  }

  private finishDrain(): void {
    const resolve = this.drained;
    if (resolve === undefined) return;
    this.drained = undefined;
    clearTimeout(this.graceTimer);
    clearInterval(this.drainSweep);
    resolve();
  }
}

/** Unparseable client input (Node's strict parser): a bare 400, as Node itself would send. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawBadRequest);
}

function onTrackedSocketClose(this: TrackedSocket): void {
  this.sluiceProxy!.socketClosed(this);
}

function ignoreError(): void {
  // Every socket gets an 'error' listener; 'close' carries the consequences.
}
