import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import http2, { type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { H2Client } from './front/h2-client.js';
import { GrpcExchange } from './grpc-exchange.js';
import { H2UpstreamExchange } from './h2-upstream-exchange.js';
import { H2UpstreamSessions } from './h2-upstream-sessions.js';
import type { CompiledRoute, HttpMatcher, MatchInput, RoutingTable } from '../compile/types.js';
import { removeHeader } from '../plugins/flat-headers.js';
import type { ShortCircuit } from '../plugins/plugin.js';
import { PluginContext } from '../plugins/plugin-context.js';
import { FrontRequest } from './front/front-request.js';
import { clientAddress } from './client-address.js';
import { errorResponses, rawBadRequest, sendError, type ProxyErrorCode } from './error-responses.js';
import type { ClientSide, FrontHandler, RequestHead } from './front/client-side.js';
import { NodeClient } from './front/node-client.js';
import { createRawFront, type RawFrontOptions, type RawFrontServer } from './front/raw-front.js';
import { CLIENT_CLOSED_STATUS, ProxyExchange, type ExchangeHost } from './proxy-exchange.js';
import { UpstreamPools } from './upstream-pools.js';
import { upstreamSettings } from './upstream-settings.js';
import { WebSocketTunnel, type TunnelHost } from './websocket-tunnel.js';

export interface HttpProxyOptions {
  /** Read once per request; undefined before the first config (→ 503). */
  getTable(): RoutingTable | undefined;
  /** Metrics hook, called once per request. */
  onRequestDone?(routeId: string | undefined, status: number, durationMs: number): void;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** A request's host belongs to another listener than the TLS server name of its connection (→ 421). */
export const MISDIRECTED = 'misdirected';

/**
 * The routes of a Gateway listener socket. Requests arriving there ask it for their matcher
 * instead of using the main ports' one; the main ports pass no scope and pay nothing for it.
 */
export interface RouteScope {
  matcherFor(req: RequestHead): HttpMatcher<CompiledRoute> | undefined | typeof MISDIRECTED;
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
  handleUpgrade(req: RequestHead, socket: Duplex, head: Buffer): void;
  /** node:http front: wires 'request', 'upgrade' and 'clientError' and tracks the server's connections for drain. */
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
    handleUpgrade: (req, socket, head) => core.handleUpgrade(req, socket, head),
    attach: (server) => core.attach(server),
    createRawServer: (rawOpts) => core.createRawServer(rawOpts),
    createScopedFront: (scope, rawOpts) => core.createScopedFront(scope, rawOpts),
    h2: core.h2,
    drain: (graceMs) => core.drain(graceMs),
    close: () => core.close(),
    stats: () => ({ inFlight: core.inFlight, tunnels: core.tunnels.size, idleUpstreamSockets: core.pools.idleCount }),
  };
}

/** The proxy's shared state. One per worker; requests hold only their `ProxyExchange`. */
/** What drain needs of a front server (node:http's and the raw front both have it). */
type FrontServer = { closeIdleConnections(): void; closeLongIdleConnections?(): void };

/** How often a drain looks for connections that stayed idle (see FrontConnection.closeIfLongIdle). */
const DRAIN_SWEEP_MS = 200;

class HttpProxyCore implements ExchangeHost, TunnelHost, FrontHandler {
  readonly pools = new UpstreamPools();
  readonly tunnels = new Set<WebSocketTunnel>();
  draining = false;
  inFlight = 0;
  private readonly servers: FrontServer[] = [];
  private readonly sockets = new Set<TrackedSocket>();
  /** Matching is synchronous, so one input object serves every request. */
  private readonly matchInput: MatchInput = { host: undefined, path: '/', method: 'GET', headers: {}, query: '' };
  private drained: (() => void) | undefined = undefined;
  private graceTimer: NodeJS.Timeout | undefined = undefined;
  private drainSweep: NodeJS.Timeout | undefined = undefined;

  /**
   * One plain HTTP/2 server for every HTTP/2 connection: TLS is already terminated by the
   * HTTPS listener, and h2c arrives from the raw front; requests then take the same path as
   * HTTP/1.1 ones through an `H2Client`.
   */
  readonly h2: Http2Server = http2.createServer();
  readonly h2Upstreams = new H2UpstreamSessions();
  private readonly h2Sessions = new Set<Http2Session>();

  constructor(private readonly opts: HttpProxyOptions) {
    this.wireH2(this.h2, undefined, this.h2Sessions);
  }

  /** Serves an HTTP/2 server's requests with the main routes, or a listener's (`scope`). */
  private wireH2(h2: Http2Server, scope: RouteScope | undefined, sessions: Set<Http2Session>): void {
    h2.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => this.handleRequest(new H2Client(req, res), scope));
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

  handleRequest(client: ClientSide, scope?: RouteScope): void {
    const startedAt = performance.now();
    const table = this.opts.getTable();
    if (table === undefined) return this.answer(undefined, client, 'GW_ERR_UPSTREAM_UNAVAILABLE', startedAt);
    const matcher = scope === undefined ? table.http : scope.matcherFor(client);
    if (matcher === MISDIRECTED) return this.answer(undefined, client, 'GW_ERR_MISDIRECTED', startedAt);
    const route = matcher?.match(this.fillMatchInput(client));
    if (route === undefined) return this.answer(undefined, client, 'GW_ERR_ROUTE_NOT_FOUND', startedAt);
    const chain = route.plugins;
    if (chain === undefined) return this.forward(client, route, undefined, startedAt);
    // Plugins see the request before any upstream work; they may answer it themselves.
    const url = client.url;
    const q = url.indexOf('?');
    const ctx = new PluginContext(
      client.method,
      q < 0 ? url : url.slice(0, q),
      q < 0 ? '' : url.slice(q + 1),
      client.headers,
      clientAddress(client.socket.remoteAddress),
      (client.socket as TLSSocket).encrypted === true ? 'https' : 'http',
      route.id,
      startedAt,
      client.socket,
    );
    ctx.chain = chain;
    const verdict = chain.runRequest(ctx);
    if (verdict instanceof Promise) {
      this.inFlight++;
      verdict.then(
        (v) => {
          this.inFlight--;
          this.afterPlugins(client, route, ctx, v, startedAt);
        },
        () => {
          this.inFlight--;
          this.afterPlugins(client, route, ctx, { status: 500, body: 'plugin failed' }, startedAt);
        },
      );
      return;
    }
    this.afterPlugins(client, route, ctx, verdict, startedAt);
  }

  private afterPlugins(client: ClientSide, route: CompiledRoute, ctx: PluginContext, verdict: ShortCircuit | undefined, startedAt: number): void {
    if (client.destroyed) {
      // The client left while a plugin waited: the log phase still runs (limit-conn releases its slot).
      const ms = performance.now() - startedAt;
      this.opts.onRequestDone?.(route.id, CLIENT_CLOSED_STATUS, ms);
      ctx.chain!.runLog(ctx, CLIENT_CLOSED_STATUS, ms);
      return;
    }
    if (verdict === undefined) return this.forward(client, route, ctx, startedAt);
    const head = ctx.chain!.respond(ctx, verdict);
    if (this.draining) head.headers.push('Connection', 'close');
    const body = head.body === undefined ? undefined : typeof head.body === 'string' ? Buffer.from(head.body) : head.body;
    if (body !== undefined) {
      removeHeader(head.headers, 'content-length');
      head.headers.push('Content-Length', String(body.length));
    }
    client.writeHead(head.status, head.headers);
    client.end(body);
    ctx.bytesSent = body?.length ?? 0;
    const ms = performance.now() - startedAt;
    this.opts.onRequestDone?.(route.id, head.status, ms);
    ctx.chain!.runLog(ctx, head.status, ms);
  }

  private forward(client: ClientSide, route: CompiledRoute, ctx: PluginContext | undefined, startedAt: number): void {
    const chosen = ctx?.backendUpstreamId;
    const backend = chosen === undefined ? route.pickBackend() : route.pluginBackends.get(chosen);
    if (backend === undefined) return this.answer(route.id, client, 'GW_ERR_UPSTREAM_UNAVAILABLE', startedAt);
    const settings = upstreamSettings(backend.upstream);
    if (settings.http2) {
      this.inFlight++;
      if (!settings.grpc) return new H2UpstreamExchange(this, client, route, backend, settings, startedAt, ctx).start();
      // gRPC needs HTTP/2 end to end: an HTTP/1.1 client cannot be carried to such an upstream.
      if (!(client instanceof H2Client)) {
        this.inFlight--;
        return this.answer(route.id, client, 'GW_ERR_UPSTREAM_RESPONSE', startedAt);
      }
      return new GrpcExchange(this, client.h2Request, client.h2Response, route, backend, settings, startedAt, ctx).start();
    }
    this.inFlight++;
    new ProxyExchange(this, client, route, backend, settings, startedAt, ctx).start();
  }

  /** A gRPC call or an HTTP/2-upstream request ended (they keep no ProxyExchange). */
  h2ExchangeDone(route: CompiledRoute, status: number, startedAt: number, plugins: PluginContext | undefined): void {
    this.inFlight--;
    const ms = performance.now() - startedAt;
    this.opts.onRequestDone?.(route.id, status, ms);
    if (plugins !== undefined) plugins.chain!.runLog(plugins, status, ms);
    if (this.draining) this.checkDrained();
  }

  exchangeDone(exchange: ProxyExchange, status: number): void {
    this.inFlight--;
    const ms = performance.now() - exchange.startedAt;
    this.opts.onRequestDone?.(exchange.route.id, status, ms);
    const plugins = exchange.plugins;
    if (plugins !== undefined) {
      plugins.bytesSent = exchange.bodyBytes;
      plugins.chain!.runLog(plugins, status, ms);
    }
    if (this.draining) {
      // Responses whose head went out before the drain began did not say `Connection: close`.
      // (The raw front's sweep closes them once idle; node:http's connections are ended here.)
      const socket = exchange.client.socket;
      if (!(exchange.client instanceof FrontRequest) && !socket.destroyed) socket.destroySoon();
      this.checkDrained();
    }
  }

  handleUpgrade(req: RequestHead, socket: Duplex, head: Buffer, scope?: RouteScope): void {
    socket.on('error', ignoreError);
    const table = this.opts.getTable();
    if (table === undefined) return rejectUpgrade(socket, 'GW_ERR_UPSTREAM_UNAVAILABLE');
    const matcher = scope === undefined ? table.http : scope.matcherFor(req);
    if (matcher === MISDIRECTED) return rejectUpgrade(socket, 'GW_ERR_MISDIRECTED');
    const route = matcher?.match(this.fillMatchInput(req));
    if (route === undefined || !route.websocket) return rejectUpgrade(socket, 'GW_ERR_ROUTE_NOT_FOUND');
    const backend = route.pickBackend();
    if (backend === undefined) return rejectUpgrade(socket, 'GW_ERR_UPSTREAM_UNAVAILABLE');
    const tunnel = new WebSocketTunnel(this, req, socket, head, route, backend, upstreamSettings(backend.upstream));
    this.tunnels.add(tunnel);
    tunnel.start();
  }

  tunnelClosed(tunnel: WebSocketTunnel): void {
    this.tunnels.delete(tunnel);
    if (this.draining) this.checkDrained();
  }

  attach(server: HttpServer | HttpsServer): void {
    this.servers.push(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handleRequest(new NodeClient(req, res)));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(nodeRequestHead(req), socket, head));
    server.on('clientError', onClientError);
    server.on('connection', (socket: TrackedSocket) => this.trackSocket(socket));
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
      handleRequest: (client) => this.handleRequest(client, scope),
      handleUpgrade: (head, socket, bodyHead) => this.handleUpgrade(head, socket, bodyHead, scope),
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

  private fillMatchInput(req: RequestHead): MatchInput {
    const input = this.matchInput;
    const url = req.url;
    const q = url.indexOf('?');
    const headers = req.headers;
    input.host = headers.host;
    input.method = req.method;
    input.headers = headers;
    if (q < 0) {
      input.path = url;
      input.query = '';
    } else {
      input.path = url.slice(0, q);
      input.query = url.slice(q + 1);
    }
    return input;
  }

  private answer(routeId: string | undefined, res: ClientSide, code: ProxyErrorCode, startedAt: number): void {
    const status = sendError(res, code, this.draining);
    this.opts.onRequestDone?.(routeId, status, performance.now() - startedAt);
  }
}

/** node:http's request as the head the upgrade path reads (its url and method are set for server requests). */
function nodeRequestHead(req: IncomingMessage): RequestHead {
  return req as IncomingMessage & RequestHead;
}

function rejectUpgrade(socket: Duplex, code: ProxyErrorCode): void {
  if (socket.destroyed) return;
  socket.write(errorResponses[code].raw);
  (socket as Socket).destroySoon();
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
