import http2, { type ClientHttp2Stream, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { NodeRef } from '../balancer/types.js';
import type { CompiledBackend, CompiledRoute } from '../compile/types.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { clientAddress } from './client-address.js';
import { sendError, type ProxyErrorCode } from './error-responses.js';
import type { ClientSide, ClientSink } from './front/client-side.js';
import type { H2UpstreamSessions } from './h2-upstream-sessions.js';
import { HOP_BY_HOP } from './hop-by-hop.js';
import { h2RequestHeaders, type H2RequestSource } from './h2-request-headers.js';
import { removeHeader } from '../plugins/flat-headers.js';
import type { UpstreamSettings } from './upstream-settings.js';

export interface H2UpstreamExchangeHost {
  readonly draining: boolean;
  readonly h2Upstreams: H2UpstreamSessions;
  h2ExchangeDone(route: CompiledRoute, status: number, startedAt: number, plugins: PluginContext | undefined): void;
}

/**
 * One plain HTTP request (from an HTTP/1.1 or HTTP/2 client) to a `scheme: h2c | h2` upstream:
 * the request goes out as a stream of the node's shared HTTP/2 session, with back-pressure both
 * ways. Until the response head arrives, a failed stream is retried on another node (like a
 * refused connection); after it, the client connection is cut, since the answer is incomplete.
 * Errors are plain HTTP ones (502/503/504); gRPC keeps its own exchange and grpc-status answers.
 */
export class H2UpstreamExchange implements ClientSink {
  private upstream: ClientHttp2Stream | undefined = undefined;
  private node: NodeRef | undefined = undefined;
  private readonly tried: NodeRef[] = [];
  private timer: NodeJS.Timeout | undefined = undefined;
  private requestEnded = false;
  private responded = false;
  private done = false;
  private status = 0;
  /** A plugin's body that replaces the upstream's (response-rewrite). */
  private replacementBody: Buffer | undefined = undefined;
  private attemptStartedAt = 0;
  // PickContext, for the balancer (hash keys, affinity)
  readonly remoteAddress: string;
  readonly headers: ClientSide['headers'];
  readonly url: string;

  constructor(
    private readonly host: H2UpstreamExchangeHost,
    private readonly client: ClientSide,
    private readonly route: CompiledRoute,
    private readonly backend: CompiledBackend,
    private readonly settings: UpstreamSettings,
    private readonly startedAt: number,
    private readonly plugins: PluginContext | undefined,
  ) {
    this.remoteAddress = clientAddress(client.socket.remoteAddress);
    this.headers = client.headers;
    this.url = client.url;
  }

  start(): void {
    this.client.attach(this);
    this.attempt();
    this.client.readBody();
  }

  private attempt(): void {
    const selection = this.backend.runtime.select(this, this.tried);
    if (selection === undefined) return this.fail('GW_ERR_UPSTREAM_UNAVAILABLE');
    const node = selection.node;
    this.node = node;
    this.tried.push(node);
    if (this.plugins !== undefined) this.plugins.upstreamAddress = node.key;
    this.backend.runtime.onAttemptStart(node);
    this.attemptStartedAt = performance.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), this.route.timeouts.readMs);
    let stream: ClientHttp2Stream;
    try {
      stream = this.host.h2Upstreams.session(node, this.settings).request(h2RequestHeaders(this.requestSource(), node, this.settings, this.plugins), { endStream: false });
    } catch {
      return this.retryOrFail(node);
    }
    this.upstream = stream;
    stream.on('response', (headers) => this.onResponse(node, headers));
    stream.on('data', (chunk: Buffer) => {
      if (this.replacementBody === undefined && !this.client.write(chunk)) stream.pause();
    });
    stream.on('end', () => (this.responded ? this.finish() : this.streamGone(stream, node)));
    stream.on('drain', () => this.client.resumeBody());
    stream.on('error', () => this.streamGone(stream, node));
    stream.on('close', () => this.streamGone(stream, node));
    // A body read so far went to no stream yet: the client side buffers it until readBody().
    if (this.requestEnded) stream.end();
  }

  private onResponse(node: NodeRef, headers: H2Headers): void {
    this.responded = true;
    clearTimeout(this.timer);
    this.status = Number(headers[':status']);
    this.backend.runtime.onAttemptEnd(node, { status: this.status, latencyMs: performance.now() - this.attemptStartedAt });
    let flat: string[] = [];
    for (const name in headers) {
      if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(name)) continue;
      const value = headers[name];
      if (Array.isArray(value)) for (const v of value) flat.push(name, v);
      else if (value !== undefined) flat.push(name, String(value));
    }
    const plugins = this.plugins;
    if (plugins !== undefined) {
      const filtered = plugins.chain!.runResponseHeaders(plugins, this.status, flat);
      this.status = filtered.status;
      flat = filtered.headers;
      if (filtered.body !== undefined) {
        // The upstream's body is read and dropped; the plugin's goes out instead.
        this.replacementBody = typeof filtered.body === 'string' ? Buffer.from(filtered.body) : filtered.body;
        removeHeader(flat, 'content-length');
        removeHeader(flat, 'transfer-encoding');
        flat.push('Content-Length', String(this.replacementBody.length));
      }
    }
    if (this.host.draining) flat.push('Connection', 'close');
    this.client.writeHead(this.status, flat);
  }

  private requestSource(): H2RequestSource {
    const c = this.client;
    return { headers: c.headers, method: c.method, url: c.url, encrypted: (c.socket as { encrypted?: boolean }).encrypted === true, remoteAddress: this.remoteAddress };
  }

  // ClientSink: the request body streams into the upstream stream with back-pressure.
  onRequestBody(chunk: Buffer): void {
    if (this.done) return;
    if (this.upstream !== undefined && !this.upstream.write(chunk)) this.client.pauseBody();
  }

  onRequestEnd(): void {
    this.requestEnded = true;
    this.upstream?.end();
  }

  onClientDrain(): void {
    this.upstream?.resume();
  }

  onClientClosed(): void {
    if (this.done) return;
    // The client went away first: cancel the upstream stream, the session lives on.
    this.upstream?.close(http2.constants.NGHTTP2_CANCEL);
    this.finish();
  }

  /** The stream failed or closed before it ended well: retry before the head, cut after. */
  private streamGone(stream: ClientHttp2Stream, node: NodeRef): void {
    if (this.done || this.upstream !== stream) return;
    if (this.responded) return this.abort();
    this.retryOrFail(node);
  }

  /** A body already sent cannot be replayed: only a request that sent none is retried. */
  private retryOrFail(node: NodeRef): void {
    this.backend.runtime.onAttemptEnd(node, { error: 'connect', latencyMs: performance.now() - this.attemptStartedAt });
    const replayable = this.client.headers['content-length'] === undefined && this.client.headers['transfer-encoding'] === undefined;
    if (this.tried.length <= this.settings.retries && this.settings.retryOnError && replayable) return this.attempt();
    this.fail('GW_ERR_UPSTREAM_CONNECT');
  }

  private expire(): void {
    if (this.done || this.responded) return;
    this.upstream?.close(http2.constants.NGHTTP2_CANCEL);
    if (this.node !== undefined) this.backend.runtime.onAttemptEnd(this.node, { error: 'timeout', latencyMs: performance.now() - this.attemptStartedAt });
    this.fail('GW_ERR_UPSTREAM_TIMEOUT');
  }

  private fail(code: ProxyErrorCode): void {
    if (this.done) return;
    if (this.client.headersSent || this.client.destroyed) return this.abort();
    this.upstream = undefined;
    this.client.resumeBody(); // discard what is left of the request body
    this.status = sendError(this.client, code, this.host.draining);
    this.finish();
  }

  private abort(): void {
    if (!this.status) this.status = 502;
    this.client.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    // A stream that ended while the body was paused never drains: un-pause, or the next
    // request on this keep-alive connection would never be read.
    this.client.resumeBody();
    if (this.responded && !this.client.destroyed && !this.client.writableFinished) this.client.end(this.replacementBody);
    this.host.h2ExchangeDone(this.route, this.status || 502, this.startedAt, this.plugins);
  }
}
