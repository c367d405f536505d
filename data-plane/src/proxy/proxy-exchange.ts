import type { Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { NodeRef, PickContext, Selection } from '../balancer/types.js';
import type { CompiledBackend, CompiledRoute } from '../compile/types.js';
import { clientAddress } from './client-address.js';
import { sendError, type ProxyErrorCode } from './error-responses.js';
import type { ClientSide, ClientSink } from './front/client-side.js';
import { forwardableResponseHeaders } from './response-headers.js';
import type { H2UpstreamSessions } from './h2-upstream-sessions.js';
import { H2StreamLeg } from './h2-stream-leg.js';
import type { LegLoss, LegRequest, LegUser, UpstreamLeg } from './upstream-leg.js';
import type { UpstreamPools } from './upstream-pools.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { removeHeader } from '../plugins/flat-headers.js';
import { createResponseCompressor, type ResponseCompressor } from './response-compressor.js';
import { startRequestMirror, type RequestMirror } from './request-mirror.js';
import { errorPageHeaderOps, type ErrorPagesTarget } from '../plugins/error-pages.js';
import { h1RequestHead, outgoingRequest, upstreamHost, type OutgoingRequest } from './upstream-request-head.js';
import { upstreamSettings, type UpstreamSettings } from './upstream-settings.js';

/** What an exchange needs from the proxy that started it. */
export interface ExchangeHost {
  readonly pools: UpstreamPools;
  readonly h2Upstreams: H2UpstreamSessions;
  readonly draining: boolean;
  exchangeDone(exchange: ProxyExchange, status: number): void;
  /** The upstream switched protocols: both sockets become a tunnel. */
  openTunnel(client: Socket, upstream: Socket, idleMs: number, clientPending: Buffer, upstreamPending: Buffer): void;
}

/** Where an attempt is; decides what a timer expiry means. */
const Phase = { Connecting: 1, Sending: 2, Waiting: 3, Streaming: 4, Done: 5, Backoff: 6 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** Methods safe to repeat after a reset when nothing was received (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Status reported to metrics when the client left before a response was sent (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;
/** gRPC DEADLINE_EXCEEDED, for a call that outlived its grpc-timeout after its head went out. */
const GRPC_DEADLINE_EXCEEDED = '4';

/**
 * One proxied request: the one upstream attempt engine for every protocol. It picks nodes,
 * runs attempts (with retries, backoff and the request deadline), reports each attempt to the
 * upstream's runtime (balancer and passive health), streams the request body up and the
 * response down with back-pressure, and runs the response phases. An attempt is carried by an
 * `UpstreamLeg`: a pooled HTTP/1.1 connection, or a stream of an HTTP/2 session (h2c, h2,
 * gRPC). An upgrade (WebSocket) is an ordinary attempt whose request asks to switch
 * protocols: only a response parsed as `101` turns the two connections into a `Tunnel`; any
 * other answer is relayed as plain HTTP and the client connection then ends.
 *
 * It is also the request's `PickContext` and `LegRequest`, so a request allocates this one
 * object for all of its proxy state. The client side calls it directly as its `ClientSink`.
 */
export class ProxyExchange implements LegUser, PickContext, ClientSink, LegRequest {
  // PickContext
  readonly remoteAddress: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  consumer?: string = undefined;

  settings: UpstreamSettings;
  /** The request as every attempt sends it (built on the first attempt). */
  outgoing!: OutgoingRequest;
  private readonly tried: NodeRef[] = [];
  private retriesLeft: number;
  private node: NodeRef | undefined = undefined;
  private leg: UpstreamLeg | undefined = undefined;
  private pendingSelection: Selection | undefined = undefined;
  private setCookie: string | undefined = undefined;
  private phase: Phase = Phase.Connecting;
  private timer: NodeJS.Timeout | undefined = undefined;
  /** The duration the running timer was armed with, so a phase with the same limit reuses it. */
  private timerMs = 0;
  /** `timeout.request` (or a gRPC call's grpc-timeout): no response head after this (performance.now() time) → 504; Infinity = none. */
  private readonly deadline: number;
  /** A gRPC call's grpc-timeout also bounds its streaming; the timer for that. */
  private callTimer: NodeJS.Timeout | undefined = undefined;
  /** A retryable status is being drained: the next attempt waits for the backoff first. */
  private retryAfterDiscard = false;
  private attemptStartedAt = 0;
  /** The attempt's outcome was reported to the runtime. */
  private attemptReported = true;
  private readonly hasBody: boolean;
  private bodyStarted = false;
  private bodyDone: boolean;
  private freshRetryUsed = false;
  private discarding = false;
  private lastError: ProxyErrorCode = 'GW_ERR_UPSTREAM_CONNECT';
  /** The HTTP/1.1 head, cached across attempts while it does not depend on the node. */
  private head: string | undefined = undefined;
  private readonly skipBody: number;
  /** A body a plugin put in place of the upstream's (response-rewrite); the upstream's is dropped. */
  private replacementBody: Buffer | undefined = undefined;
  /** Response body bytes from the upstream passed on to the client (before any compression). */
  bodyBytes = 0;
  /** Request body bytes received from the client. */
  requestBodyBytes = 0;
  /** When the first attempt started (performance.now()); 0 until one did. */
  private upstreamStartedAt = 0;
  /** Time on the upstream, first attempt to the end of the response (or the failure), once known. */
  upstreamMs: number | undefined = undefined;
  /** gzip/brotli chose to compress this response: body chunks go through it. */
  private compressor: ResponseCompressor | undefined = undefined;
  /** A copy of this request going to request-mirror's upstream. */
  private mirror: RequestMirror | undefined = undefined;

  constructor(
    private readonly host: ExchangeHost,
    readonly client: ClientSide,
    readonly route: CompiledRoute,
    private backend: CompiledBackend,
    settings: UpstreamSettings,
    readonly startedAt: number,
    /** The request's plugin context, when the route has plugins. */
    readonly plugins: PluginContext | undefined = undefined,
    /** The Upgrade token when the request asks to switch protocols and may become a tunnel. */
    private readonly upgrade: string | undefined = undefined,
  ) {
    const headers = client.headers;
    this.remoteAddress = clientAddress(client.socket.remoteAddress);
    this.headers = headers;
    this.url = client.query.length > 0 ? `${client.path}?${client.query}` : client.path;
    this.settings = settings;
    this.retriesLeft = settings.retries;
    const requestSeconds = route.route.timeout?.request;
    let deadline = requestSeconds !== undefined ? startedAt + requestSeconds * 1000 : startedAt + settings.requestTimeoutMs;
    const grpcMs = client.grpc ? parseGrpcTimeout(headers['grpc-timeout']) : undefined;
    if (grpcMs !== undefined) {
      deadline = Math.min(deadline, startedAt + grpcMs);
      this.callTimer = setTimeout(onCallDeadline, grpcMs, this);
    }
    this.deadline = deadline;
    const length = headers['content-length'];
    this.hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    this.bodyDone = !this.hasBody;
    this.skipBody = client.method === 'HEAD' ? 1 : 0;
    client.attach(this);
  }

  /** Runs the first attempt; answers 503 when no node is available. */
  start(): void {
    this.outgoing = outgoingRequest(this.client, this.plugins, this.upgrade);
    const plugins = this.plugins;
    if (plugins?.mirrors !== undefined && this.upgrade === undefined) {
      this.mirror = startRequestMirror(this.host.pools, { request: this, pick: this, plugins, pluginBackends: this.route.pluginBackends });
    }
    this.nextAttempt();
  }

  // --- LegRequest ---

  hostFor(node: NodeRef): string {
    return upstreamHost(this.outgoing, node, this.settings, undefined);
  }

  h1HeadFor(node: NodeRef): string {
    // The head only depends on the node when Host comes from it.
    if (this.head === undefined || this.settings.passHost !== 'pass') this.head = h1RequestHead(this.client, this.outgoing, this.hostFor(node));
    return this.head;
  }

  // --- attempts ---

  private nextAttempt(): void {
    if (this.deadline !== Infinity && performance.now() >= this.deadline) {
      this.pendingSelection = undefined;
      this.fail('GW_ERR_UPSTREAM_TIMEOUT');
      return;
    }
    const runtime = this.backend.runtime;
    const selection = this.pendingSelection ?? this.selectNode();
    this.pendingSelection = undefined;
    if (selection === undefined) {
      this.fail(this.tried.length === 0 ? 'GW_ERR_UPSTREAM_UNAVAILABLE' : this.lastError);
      return;
    }
    const node = selection.node;
    this.tried.push(node);
    this.node = node;
    if (this.plugins !== undefined) this.plugins.upstreamAddress = node.key;
    this.setCookie = selection.setCookie;
    runtime.onAttemptStart(node);
    this.attemptReported = false;
    this.attemptStartedAt = performance.now();
    if (this.upstreamStartedAt === 0) this.upstreamStartedAt = this.attemptStartedAt;
    // An upgrade is HTTP/1.1 by nature (RFC 9110 §7.8): it never rides an HTTP/2 session.
    if (this.settings.http2 && this.upgrade === undefined) this.useLeg(new H2StreamLeg(this.host.h2Upstreams, node));
    else this.useLeg(this.host.pools.pool(node, this.settings).acquire());
  }

  private useLeg(leg: UpstreamLeg): void {
    this.leg = leg;
    leg.user = this;
    if (leg.connected) this.sendHead(leg);
    else this.arm(Phase.Connecting, this.route.timeouts.connectMs);
  }

  onConnected(leg: UpstreamLeg): void {
    this.sendHead(leg);
  }

  private sendHead(leg: UpstreamLeg): void {
    leg.sendHead(this, this.node!);
    if (this.bodyDone) {
      this.arm(Phase.Waiting, this.route.timeouts.readMs);
      return;
    }
    this.arm(Phase.Sending, this.route.timeouts.sendMs);
    if (!this.bodyStarted) {
      this.bodyStarted = true;
      // Only now is the body asked for (and `100 Continue` sent): the access phases are behind.
      this.client.readBody();
    }
  }

  /** A chunk of the client's request body. */
  onRequestBody(chunk: Buffer): void {
    this.requestBodyBytes += chunk.length;
    if (this.mirror !== undefined) this.mirror.write(chunk);
    const leg = this.leg;
    if (leg === undefined) return; // the attempt already failed; the answer is on its way
    if (!leg.writeBody(chunk)) this.client.pauseBody();
    if (this.phase === Phase.Sending) this.timer!.refresh();
  }

  onRequestEnd(): void {
    this.bodyDone = true;
    if (this.mirror !== undefined) this.mirror.end();
    const leg = this.leg;
    if (leg === undefined) return;
    leg.endBody();
    if (this.phase === Phase.Sending) this.arm(Phase.Waiting, this.route.timeouts.readMs);
  }

  /**
   * The body passed the route's limit: no byte past it was forwarded. The upstream request is
   * cut (its connection discarded, so it can never complete), and the client hears 413 if no
   * response started; its connection then ends.
   */
  onRequestBodyTooLarge(): void {
    this.mirror?.abandon();
    this.mirror = undefined;
    if (this.phase === Phase.Done) return;
    this.clearTimer();
    this.abandonConnection();
    if (!this.attemptReported) this.reportAttempt(undefined, undefined);
    this.phase = Phase.Done;
    if (this.client.headersSent) this.client.destroy();
    else sendError(this.client, 'GW_ERR_BODY_TOO_LARGE', true);
  }

  onWritable(): void {
    // Resumed even when the body has ended: its last chunk may be the one that paused it, and a
    // client connection left paused would never read its next request.
    this.client.resumeBody();
    if (!this.bodyDone && this.phase === Phase.Sending) this.timer!.refresh();
  }

  onResponseHead(leg: UpstreamLeg, status: number, rawHeaders: string[]): number {
    this.reportAttempt(status, undefined);
    if (status === 101) return this.switchingProtocols(rawHeaders);
    const retryStatuses = this.settings.retryStatuses;
    if (retryStatuses !== undefined && retryStatuses[status] === 1 && !this.hasBody && this.mayRetry()) {
      // Retry only if a node can take it: the response is dropped once we decide.
      const next = this.selectNode();
      if (next !== undefined) {
        this.retriesLeft--;
        this.pendingSelection = next;
        this.discarding = true;
        this.retryAfterDiscard = true;
        this.timer!.refresh();
        return this.skipBody;
      }
    }
    const errorPages = this.plugins?.errorPages;
    if (errorPages !== undefined && errorPages.statuses[status] === 1 && !this.hasBody && this.switchToErrorPage(errorPages, status)) {
      this.discarding = true;
      this.timer!.refresh();
      return this.skipBody;
    }
    const headers = this.responseHead(status, rawHeaders);
    if (headers === undefined) return 1;
    const plugins = this.plugins;
    if (plugins !== undefined && this.replacementBody === undefined && plugins.responseCompression !== undefined && this.skipBody === 0) {
      this.compressor = createResponseCompressor(plugins.responseCompression, this.client, leg);
    }
    this.arm(Phase.Streaming, this.route.timeouts.readMs);
    return this.skipBody;
  }

  /** The response phases and the client's head; undefined when the head cannot be sent (the exchange is over). */
  private responseHead(status: number, rawHeaders: string[]): string[] | undefined {
    let headers = forwardableResponseHeaders(rawHeaders);
    if (this.setCookie !== undefined) headers.push('Set-Cookie', this.setCookie);
    const plugins = this.plugins;
    if (plugins !== undefined) {
      const filtered = plugins.chain!.runResponseHeaders(plugins, status, headers);
      status = filtered.status;
      headers = filtered.headers;
      if (filtered.body !== undefined) {
        // The upstream's body is read and dropped (the connection stays reusable); ours goes out.
        const body = typeof filtered.body === 'string' ? Buffer.from(filtered.body) : filtered.body;
        this.replacementBody = body;
        this.bodyBytes = body.length;
        removeHeader(headers, 'content-length');
        removeHeader(headers, 'transfer-encoding');
        headers.push('Content-Length', String(body.length));
      }
    }
    if (this.host.draining) headers.push('Connection', 'close');
    try {
      this.client.writeHead(status, headers);
    } catch {
      // A header Node refuses to send (e.g. an invalid character): the response is unusable.
      this.abandonConnection();
      this.fail('GW_ERR_UPSTREAM_RESPONSE');
      return undefined;
    }
    return headers;
  }

  /** A 101: the switch is relayed only for a request that asked for it; the socket follows in `onSwitched`. */
  private switchingProtocols(rawHeaders: string[]): number {
    if (this.upgrade === undefined) {
      // Only a request that asked to switch protocols may be answered with a switch.
      this.lastError = 'GW_ERR_UPSTREAM_RESPONSE';
      this.abandonConnection();
      this.fail('GW_ERR_UPSTREAM_RESPONSE');
      return 1;
    }
    let upgrade = '';
    for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'upgrade') upgrade = rawHeaders[i + 1];
    const headers = forwardableResponseHeaders(rawHeaders);
    headers.push('Connection', 'Upgrade', 'Upgrade', upgrade || this.upgrade);
    this.clearTimer();
    this.phase = Phase.Done;
    this.client.writeHead(101, headers);
    return 1;
  }

  onSwitched(_leg: UpstreamLeg, socket: Socket, rest: Buffer): void {
    this.leg = undefined;
    const taken = this.client.takeOver();
    if (taken === undefined) {
      // The client left (or cannot switch): nothing to tunnel to.
      socket.destroy();
      this.host.exchangeDone(this, CLIENT_CLOSED_STATUS);
      return;
    }
    this.host.openTunnel(taken.socket, socket, this.route.timeouts.upgradeIdleMs, taken.pending, rest);
    this.host.exchangeDone(this, 101);
  }

  onResponseBody(leg: UpstreamLeg, chunk: Buffer): void {
    if (this.discarding || this.replacementBody !== undefined) return;
    this.bodyBytes += chunk.length;
    this.timer!.refresh();
    if (this.compressor !== undefined) return this.compressor.write(chunk);
    // Back-pressure: stop reading the upstream until the client catches up (`onClientDrain`).
    if (!this.client.write(chunk)) leg.pauseResponse();
  }

  onResponseTrailers(_leg: UpstreamLeg, trailers: Record<string, string>): void {
    if (!this.discarding) this.client.addTrailers(trailers);
  }

  onResponseEnd(leg: UpstreamLeg): void {
    this.leg = undefined;
    // A connection whose request body is not all written is out of step: never reuse it.
    leg.release(this.bodyDone, this.settings);
    // Let the rest of an unsent body drain away, and never leave the client paused by back-pressure.
    this.client.resumeBody();
    if (this.discarding) {
      this.afterDiscard();
      return;
    }
    this.clearTimer();
    this.phase = Phase.Done;
    this.upstreamMs = performance.now() - this.upstreamStartedAt;
    if (this.compressor !== undefined) this.compressor.end();
    else this.client.end(this.replacementBody);
  }

  onConnectionLost(leg: UpstreamLeg, reason: LegLoss): void {
    this.leg = undefined;
    leg.release(false, this.settings);
    if (this.phase === Phase.Done) return;
    if (this.phase === Phase.Streaming || this.client.headersSent) {
      // The status is already out: cutting the client connection is the only honest signal.
      this.clearTimer();
      this.phase = Phase.Done;
      this.client.destroy();
      return;
    }
    if (this.discarding) {
      // The discarded response broke off; the next node is already chosen.
      this.afterDiscard();
      return;
    }
    const settings = this.settings;
    if (reason === 'reset' && leg.reused && !leg.receivedBytes && !this.bodyStarted && !this.freshRetryUsed && !settings.countEveryAttempt) {
      // The server closed an idle keep-alive socket as we reused it: nothing was received,
      // so the same request goes again on a fresh connection to the same node. Not when every
      // attempt counts: a backend that resets on purpose would see one attempt more than allowed.
      this.freshRetryUsed = true;
      this.useLeg(this.host.pools.pool(this.node!, settings).connect());
      return;
    }
    this.reportAttempt(undefined, reason);
    // Envoy answers a failed or reset connection with 503, nginx with 502.
    this.lastError =
      reason === 'protocol' ? 'GW_ERR_UPSTREAM_RESPONSE' : settings.countEveryAttempt ? 'GW_ERR_UPSTREAM_UNAVAILABLE' : 'GW_ERR_UPSTREAM_CONNECT';
    const retryable = settings.retryOnError && !this.bodyStarted && (reason === 'connect' || (reason === 'reset' && this.repeatable()));
    if (retryable && this.mayRetry()) {
      this.retriesLeft--;
      this.retry();
    } else this.fail(this.lastError);
  }

  /** The attempt's timer expired: connect, send or read timeout. */
  onTimer(): void {
    this.timer = undefined;
    const phase = this.phase;
    if (phase === Phase.Done) return;
    if (phase === Phase.Backoff) return this.nextAttempt();
    this.abandonConnection();
    if (phase === Phase.Streaming || this.client.headersSent) {
      this.phase = Phase.Done;
      this.client.destroy();
      return;
    }
    this.reportAttempt(undefined, 'timeout');
    this.lastError = 'GW_ERR_UPSTREAM_TIMEOUT';
    if (this.discarding) {
      this.afterDiscard();
      return;
    }
    // A response timeout is retried only when every attempt counts (Gateway API backendRequest):
    // nginx's next-upstream retries connect timeouts alone here.
    const retryable =
      this.settings.retryOnTimeout &&
      !this.bodyStarted &&
      (phase === Phase.Connecting || (phase === Phase.Waiting && this.settings.countEveryAttempt && this.repeatable()));
    if (retryable && this.mayRetry()) {
      this.retriesLeft--;
      this.retry();
    } else this.fail('GW_ERR_UPSTREAM_TIMEOUT');
  }

  /** A gRPC call outlived its grpc-timeout: DEADLINE_EXCEEDED, in the trailers once the head is out. */
  onCallDeadline(): void {
    this.callTimer = undefined;
    if (this.phase === Phase.Done) return;
    if (!this.client.headersSent) {
      if (!this.attemptReported) this.reportAttempt(undefined, 'timeout');
      this.abandonConnection();
      this.fail('GW_ERR_UPSTREAM_TIMEOUT');
      return;
    }
    this.abandonConnection();
    this.clearTimer();
    this.phase = Phase.Done;
    this.client.addTrailers({ 'grpc-status': GRPC_DEADLINE_EXCEEDED, 'grpc-message': 'deadline%20exceeded%20at%20the%20gateway' });
    this.client.end();
  }

  onClientDrain(): void {
    if (this.compressor !== undefined) this.compressor.clientDrained();
    this.leg?.resumeResponse();
  }

  /** The client response closed: finished, or the client went away mid-way. */
  onClientClosed(): void {
    const finished = this.client.writableFinished;
    clearTimeout(this.callTimer);
    if (!finished) {
      this.clearTimer();
      this.abandonConnection();
      // Not the node's fault: report the attempt without an error.
      if (!this.attemptReported) this.reportAttempt(undefined, undefined);
      if (!this.bodyDone) this.mirror?.abandon();
    }
    this.phase = Phase.Done;
    this.host.exchangeDone(this, finished || this.client.headersSent ? this.client.statusCode : CLIENT_CLOSED_STATUS);
  }

  /** Retries left, within the upstream's time budget (nginx proxy_next_upstream_tries / _timeout) and the request timeout. */
  private mayRetry(): boolean {
    const now = performance.now();
    return this.retriesLeft > 0 && now - this.startedAt < this.settings.retryBudgetMs && now < this.deadline;
  }

  /** A request that reached the node may go again: idempotent, or `non_idempotent` asked for. */
  private repeatable(): boolean {
    return IDEMPOTENT.has(this.client.method) || this.settings.retryNonIdempotent;
  }

  /**
   * A node for the next attempt: one not tried yet; when every attempt counts (`retryMode:
   * attempts`), a tried one once none is left, as Envoy retries a Service with one pod.
   */
  private selectNode(): Selection | undefined {
    const runtime = this.backend.runtime;
    const tried = this.tried;
    const fresh = runtime.select(this, tried);
    if (fresh !== undefined || !this.settings.countEveryAttempt || tried.length === 0) return fresh;
    return runtime.select(this);
  }

  /** A retry was decided and the failed attempt is over: the next starts after the backoff, if any. */
  private retry(): void {
    const backoffMs = this.settings.retryBackoffMs;
    if (backoffMs === 0) this.nextAttempt();
    else this.arm(Phase.Backoff, backoffMs);
  }

  /** The dropped response is over: a retry (after its backoff) or the error-page attempt starts. */
  private afterDiscard(): void {
    this.discarding = false;
    if (this.retryAfterDiscard) {
      this.retryAfterDiscard = false;
      this.retry();
    } else this.nextAttempt();
  }

  /**
   * error-pages: the answer being received is replaced by the error-page upstream's answer to
   * the same request (path `/`, X-Code and friends added). False when that upstream has no
   * node to try, so the original answer goes out. Happens at most once per request.
   */
  private switchToErrorPage(target: ErrorPagesTarget, status: number): boolean {
    const plugins = this.plugins!;
    plugins.errorPages = undefined;
    const backend = this.route.pluginBackends.get(target.upstreamId);
    if (backend === undefined) return false;
    const selection = backend.runtime.select(this, []);
    if (selection === undefined) return false;
    this.backend = backend;
    this.settings = upstreamSettings(backend.upstream);
    this.retriesLeft = this.settings.retries;
    this.tried.length = 0;
    this.pendingSelection = selection;
    this.head = undefined;
    plugins.addUpstreamHeaderOps(errorPageHeaderOps(target, status, plugins));
    plugins.upstreamPath = '/';
    plugins.upstreamQuery = '';
    this.outgoing = outgoingRequest(this.client, plugins, undefined);
    return true;
  }

  private fail(code: ProxyErrorCode): void {
    this.clearTimer();
    this.phase = Phase.Done;
    if (this.upstreamStartedAt !== 0) this.upstreamMs = performance.now() - this.upstreamStartedAt;
    // The rest of the body drains away, and a client paused by back-pressure reads on.
    this.client.resumeBody();
    if (this.client.headersSent) this.client.destroy();
    else if (!this.client.destroyed) sendError(this.client, code, this.host.draining);
  }

  private abandonConnection(): void {
    const leg = this.leg;
    if (leg === undefined) return;
    this.leg = undefined;
    leg.user = undefined;
    leg.release(false, this.settings);
  }

  private reportAttempt(status: number | undefined, error: 'connect' | 'timeout' | 'reset' | 'protocol' | undefined): void {
    if (this.attemptReported) return;
    this.attemptReported = true;
    const latencyMs = performance.now() - this.attemptStartedAt;
    this.backend.runtime.onAttemptEnd(this.node!, status !== undefined ? { status, latencyMs } : error !== undefined ? { error, latencyMs } : { latencyMs });
  }

  /**
   * One timer per attempt: re-armed with `refresh()` on progress, replaced only when the limit
   * changes. Until the response head, no limit reaches past the request deadline.
   */
  private arm(phase: Phase, ms: number): void {
    this.phase = phase;
    if (this.deadline !== Infinity && phase !== Phase.Streaming) ms = Math.max(0, Math.min(ms, this.deadline - performance.now()));
    if (this.timer !== undefined && this.timerMs === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(onExchangeTimer, ms, this);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function onExchangeTimer(exchange: ProxyExchange): void {
  exchange.onTimer();
}
function onCallDeadline(exchange: ProxyExchange): void {
  exchange.onCallDeadline();
}

/** grpc-timeout: an integer and a unit (H, M, S, m, u, n), as milliseconds. */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 }[m[2] as 'H'];
  return Math.max(1, Math.ceil(n * ms));
}
