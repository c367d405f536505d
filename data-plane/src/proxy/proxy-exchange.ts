import { clientAddress } from './client-address.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { NodeRef, PickContext, Selection } from '../balancer/types.js';
import type { CompiledBackend, CompiledRoute } from '../compile/types.js';
import { sendError, type ProxyErrorCode } from './error-responses.js';
import type { ClientSide, ClientSink } from './front/client-side.js';
import { buildRequestHead } from './request-head.js';
import { forwardableResponseHeaders } from './response-headers.js';
import type { ConnectionUser, UpstreamConnection } from './upstream-connection.js';
import type { NodePool, UpstreamPools } from './upstream-pools.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { removeHeader } from '../plugins/flat-headers.js';
import { createResponseCompressor, type ResponseCompressor } from './response-compressor.js';
import { startRequestMirror, type RequestMirror } from './request-mirror.js';
import { errorPageHeaderOps, type ErrorPagesTarget } from '../plugins/error-pages.js';
import { upstreamSettings, type UpstreamSettings } from './upstream-settings.js';

/** What an exchange needs from the proxy that started it. */
export interface ExchangeHost {
  readonly pools: UpstreamPools;
  readonly draining: boolean;
  exchangeDone(exchange: ProxyExchange, status: number): void;
}

/** Where an attempt is; decides what a timer expiry means. */
const Phase = { Connecting: 1, Sending: 2, Waiting: 3, Streaming: 4, Done: 5, Backoff: 6 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** Methods safe to repeat after a reset when nothing was received (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const CHUNKED_FRAMING = 'Transfer-Encoding: chunked\r\n';
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** Status reported to metrics when the client left before a response was sent (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * One proxied request: picks nodes, runs attempts (with retries), streams the request body up
 * and the response down with back-pressure. It is also the request's `PickContext`, so a
 * request allocates this one object for all of its proxy state. The client side (raw front or
 * node:http) calls it directly as its `ClientSink`.
 */
export class ProxyExchange implements ConnectionUser, PickContext, ClientSink {
  // PickContext
  readonly remoteAddress: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  consumer?: string = undefined;

  private settings: UpstreamSettings;
  private readonly tried: NodeRef[] = [];
  private retriesLeft: number;
  private node: NodeRef | undefined = undefined;
  private pool: NodePool | undefined = undefined;
  private conn: UpstreamConnection | undefined = undefined;
  private pendingSelection: Selection | undefined = undefined;
  private setCookie: string | undefined = undefined;
  private phase: Phase = Phase.Connecting;
  private timer: NodeJS.Timeout | undefined = undefined;
  /** The duration the running timer was armed with, so a phase with the same limit reuses it. */
  private timerMs = 0;
  /** `timeout.request`: no response head after this (performance.now() time) → 504; Infinity = none. */
  private readonly deadline: number;
  /** A retryable status is being drained: the next attempt waits for the backoff first. */
  private retryAfterDiscard = false;
  private attemptStartedAt = 0;
  /** The attempt's outcome was reported to the runtime. */
  private attemptReported = true;
  private readonly hasBody: boolean;
  private readonly chunked: boolean;
  private bodyStarted = false;
  private bodyDone: boolean;
  private freshRetryUsed = false;
  private discarding = false;
  private lastError: ProxyErrorCode = 'GW_ERR_UPSTREAM_CONNECT';
  private head: string | undefined = undefined;
  private readonly skipBody: number;
  /** A body a plugin put in place of the upstream's (response-rewrite); the upstream's is dropped. */
  private replacementBody: Buffer | undefined = undefined;
  /** Response body bytes from the upstream passed on to the client (before any compression). */
  bodyBytes = 0;
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
  ) {
    const headers = client.headers;
    this.remoteAddress = clientAddress(client.socket.remoteAddress);
    this.headers = headers;
    this.url = client.url;
    this.settings = settings;
    this.retriesLeft = settings.retries;
    const requestSeconds = route.route.timeout?.request;
    this.deadline = requestSeconds !== undefined ? startedAt + requestSeconds * 1000 : startedAt + settings.requestTimeoutMs;
    this.chunked = headers['transfer-encoding'] !== undefined;
    const length = headers['content-length'];
    this.hasBody = this.chunked || (length !== undefined && length !== '0');
    this.bodyDone = !this.hasBody;
    this.skipBody = client.method === 'HEAD' ? 1 : 0;
    client.attach(this);
  }

  /** Runs the first attempt; answers 503 when no node is available. */
  start(): void {
    const plugins = this.plugins;
    if (plugins?.mirrors !== undefined) {
      this.mirror = startRequestMirror(this.host.pools, { client: this.client, pick: this, plugins, pluginBackends: this.route.pluginBackends, chunked: this.chunked });
    }
    this.nextAttempt();
  }

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
    this.pool = this.host.pools.pool(node, this.settings);
    this.useConnection(this.pool.acquire());
  }

  private useConnection(conn: UpstreamConnection): void {
    this.conn = conn;
    conn.user = this;
    if (conn.connected) this.sendHead(conn);
    else this.arm(Phase.Connecting, this.route.timeouts.connectMs);
  }

  onConnected(conn: UpstreamConnection): void {
    this.sendHead(conn);
  }

  private sendHead(conn: UpstreamConnection): void {
    // The head only depends on the node when Host comes from it.
    if (this.head === undefined || this.settings.passHost !== 'pass') {
      this.head = buildRequestHead(this.client, this.node!, this.settings, false, this.chunked ? CHUNKED_FRAMING : '', this.plugins);
    }
    conn.requests++;
    conn.receivedBytes = false;
    conn.socket.write(this.head, 'latin1');
    if (this.bodyDone) {
      this.arm(Phase.Waiting, this.route.timeouts.readMs);
      return;
    }
    this.arm(Phase.Sending, this.route.timeouts.sendMs);
    if (!this.bodyStarted) {
      this.bodyStarted = true;
      this.client.readBody();
    }
  }

  /** A chunk of the client's request body. */
  onRequestBody(chunk: Buffer): void {
    if (this.mirror !== undefined) this.mirror.write(chunk);
    const conn = this.conn;
    if (conn === undefined) return; // the attempt already failed; the answer is on its way
    const socket = conn.socket;
    let flushed: boolean;
    if (this.chunked) {
      socket.cork();
      socket.write(chunk.length.toString(16) + '\r\n', 'latin1');
      socket.write(chunk);
      flushed = socket.write(CRLF);
      socket.uncork();
    } else flushed = socket.write(chunk);
    if (!flushed) this.client.pauseBody();
    if (this.phase === Phase.Sending) this.timer!.refresh();
  }

  onRequestEnd(): void {
    this.bodyDone = true;
    if (this.mirror !== undefined) this.mirror.end();
    const conn = this.conn;
    if (conn === undefined) return;
    if (this.chunked) conn.socket.write(LAST_CHUNK);
    if (this.phase === Phase.Sending) this.arm(Phase.Waiting, this.route.timeouts.readMs);
  }

  onWritable(): void {
    if (!this.bodyDone) {
      this.client.resumeBody();
      if (this.phase === Phase.Sending) this.timer!.refresh();
    }
  }

  onResponseHead(conn: UpstreamConnection, status: number, rawHeaders: string[]): number {
    this.reportAttempt(status, undefined);
    if (status === 101) {
      // Only the upgrade path may switch protocols.
      this.lastError = 'GW_ERR_UPSTREAM_RESPONSE';
      this.abandonConnection();
      this.fail('GW_ERR_UPSTREAM_RESPONSE');
      return 1;
    }
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
      } else if (plugins.responseCompression !== undefined && this.skipBody === 0) {
        this.compressor = createResponseCompressor(plugins.responseCompression, this.client, conn.socket);
      }
    }
    if (this.host.draining) headers.push('Connection', 'close');
    try {
      this.client.writeHead(status, headers);
    } catch {
      // A header Node refuses to send (e.g. an invalid character): the response is unusable.
      this.abandonConnection();
      this.fail('GW_ERR_UPSTREAM_RESPONSE');
      return 1;
    }
    this.arm(Phase.Streaming, this.route.timeouts.readMs);
    return this.skipBody;
  }

  onResponseBody(conn: UpstreamConnection, chunk: Buffer): void {
    if (this.discarding || this.replacementBody !== undefined) return;
    this.bodyBytes += chunk.length;
    this.timer!.refresh();
    if (this.compressor !== undefined) return this.compressor.write(chunk);
    // Back-pressure: stop reading the upstream until the client catches up (`onClientDrain`).
    if (!this.client.write(chunk)) conn.socket.pause();
  }

  onResponseEnd(conn: UpstreamConnection): void {
    this.conn = undefined;
    const pool = this.pool!;
    // A connection whose request body is not all written is out of step: never reuse it.
    if (this.bodyDone) pool.release(conn, this.settings);
    else {
      pool.discard(conn);
      this.client.resumeBody(); // let the rest of the body drain away
    }
    if (this.discarding) {
      this.afterDiscard();
      return;
    }
    this.clearTimer();
    this.phase = Phase.Done;
    if (this.compressor !== undefined) this.compressor.end();
    else this.client.end(this.replacementBody);
  }

  onConnectionLost(conn: UpstreamConnection, reason: 'connect' | 'reset' | 'protocol'): void {
    this.conn = undefined;
    this.pool!.discard(conn);
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
    if (reason === 'reset' && conn.reused && !conn.receivedBytes && !this.bodyStarted && !this.freshRetryUsed && !settings.countEveryAttempt) {
      // The server closed an idle keep-alive socket as we reused it: nothing was received,
      // so the same request goes again on a fresh connection to the same node. Not when every
      // attempt counts: a backend that resets on purpose would see one attempt more than allowed.
      this.freshRetryUsed = true;
      this.useConnection(this.pool!.connect());
      return;
    }
    this.reportAttempt(undefined, reason);
    // Envoy answers a failed or reset connection with 503, nginx with 502.
    this.lastError = reason === 'protocol' ? 'GW_ERR_UPSTREAM_RESPONSE' : settings.countEveryAttempt ? 'GW_ERR_UPSTREAM_UNAVAILABLE' : 'GW_ERR_UPSTREAM_CONNECT';
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

  onClientDrain(): void {
    if (this.compressor !== undefined) this.compressor.clientDrained();
    const conn = this.conn;
    if (conn !== undefined && conn.socket.isPaused()) conn.socket.resume();
  }

  /** The client response closed: finished, or the client went away mid-way. */
  onClientClosed(): void {
    const finished = this.client.writableFinished;
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
    return true;
  }

  private fail(code: ProxyErrorCode): void {
    this.clearTimer();
    this.phase = Phase.Done;
    if (!this.bodyDone) this.client.resumeBody();
    if (this.client.headersSent) this.client.destroy();
    else if (!this.client.destroyed) sendError(this.client, code, this.host.draining);
  }

  private abandonConnection(): void {
    const conn = this.conn;
    if (conn === undefined) return;
    this.conn = undefined;
    this.pool!.discard(conn);
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
