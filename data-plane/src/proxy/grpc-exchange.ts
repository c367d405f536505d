import http2, { type ClientHttp2Stream, type IncomingHttpHeaders as H2Headers, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { NodeRef } from '../balancer/types.js';
import type { CompiledBackend, CompiledRoute } from '../compile/types.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { clientAddress } from './client-address.js';
import type { H2UpstreamSessions } from './h2-upstream-sessions.js';
import { h2RequestHeaders } from './h2-request-headers.js';
import { applyHeaderOpsToObject } from '../plugins/header-ops.js';
import type { UpstreamSettings } from './upstream-settings.js';

/** gRPC status codes the gateway itself answers with (https://grpc.io/docs/guides/status-codes/). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const GRPC_INTERNAL = 13;

/** Request headers that describe the client's hop, not the call: never forwarded as-is. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'x-consumer-username']);

export interface GrpcExchangeHost {
  readonly h2Upstreams: H2UpstreamSessions;
  h2ExchangeDone(route: CompiledRoute, status: number, startedAt: number, plugins: PluginContext | undefined): void;
}

/**
 * One gRPC call (or any HTTP/2 request to a `scheme: grpc | grpcs` upstream), proxied stream to
 * stream over HTTP/2 so both directions stream and trailers (grpc-status, grpc-message, custom
 * metadata) arrive intact. Errors of the gateway's own become gRPC statuses in a trailers-only
 * response; `grpc-timeout` bounds the call (DEADLINE_EXCEEDED).
 */
export class GrpcExchange {
  private upstream: ClientHttp2Stream | undefined = undefined;
  private node: NodeRef | undefined = undefined;
  private readonly tried: NodeRef[] = [];
  private deadline: NodeJS.Timeout | undefined = undefined;
  private done = false;
  private attemptStartedAt = 0;
  // PickContext
  readonly remoteAddress: string;
  readonly headers: Http2ServerRequest['headers'];
  readonly url: string;

  constructor(
    private readonly host: GrpcExchangeHost,
    private readonly req: Http2ServerRequest,
    private readonly res: Http2ServerResponse,
    private readonly route: CompiledRoute,
    private readonly backend: CompiledBackend,
    private readonly settings: UpstreamSettings,
    private readonly startedAt: number,
    private readonly plugins: PluginContext | undefined,
  ) {
    this.remoteAddress = clientAddress(req.socket.remoteAddress);
    this.headers = req.headers;
    this.url = req.url;
  }

  start(): void {
    const timeoutMs = parseGrpcTimeout(this.req.headers['grpc-timeout']) ?? this.route.timeouts.readMs;
    this.deadline = setTimeout(() => this.expire(), timeoutMs);
    this.req.once('close', () => {
      // The client cancelled (or finished and closed): cancel the upstream stream too.
      if (!this.done) this.upstream?.close(http2.constants.NGHTTP2_CANCEL);
    });
    this.attempt();
  }

  private attempt(): void {
    const selection = this.backend.runtime.select(this, this.tried);
    if (selection === undefined) return this.fail(GRPC_UNAVAILABLE, 'no healthy upstream node');
    const node = selection.node;
    this.node = node;
    this.tried.push(node);
    if (this.plugins !== undefined) this.plugins.upstreamAddress = node.key;
    this.backend.runtime.onAttemptStart(node);
    this.attemptStartedAt = performance.now();
    let stream: ClientHttp2Stream;
    try {
      stream = this.host.h2Upstreams.session(node, this.settings).request(h2RequestHeaders(
        { headers: this.req.headers, method: this.req.method, url: this.req.url, encrypted: (this.req.socket as { encrypted?: boolean }).encrypted === true, remoteAddress: this.remoteAddress },
        node,
        this.settings,
        this.plugins,
      ), { endStream: false });
    } catch {
      return this.retryOrFail();
    }
    this.upstream = stream;
    let responded = false;
    stream.on('response', (headers) => {
      responded = true;
      this.backend.runtime.onAttemptEnd(node, { status: Number(headers[':status']), latencyMs: performance.now() - this.attemptStartedAt });
      const out = responseHeaders(headers);
      const ops = this.plugins?.responseHeaderOps;
      if (ops !== undefined) applyHeaderOpsToObject(out as H2Headers, ops);
      if (out['grpc-status'] !== undefined) {
        // A trailers-only answer: its status goes out as trailers after our headers, which
        // every gRPC client reads the same way.
        const trailers: Record<string, string | string[]> = {};
        for (const name of ['grpc-status', 'grpc-message', 'grpc-status-details-bin']) {
          if (out[name] !== undefined) trailers[name] = out[name];
          delete out[name];
        }
        this.res.addTrailers(trailers);
      }
      this.res.writeHead(Number(headers[':status']), out);
      stream.pipe(this.res as unknown as NodeJS.WritableStream, { end: false });
    });
    stream.on('trailers', (trailers) => this.res.addTrailers(responseHeaders(trailers)));
    stream.on('end', () => this.finish());
    stream.on('error', () => {
      if (responded || this.res.headersSent) return this.abort();
      this.backend.runtime.onAttemptEnd(node, { error: 'connect', latencyMs: performance.now() - this.attemptStartedAt });
      this.retryOrFail();
    });
    this.req.pipe(stream);
  }

  private retryOrFail(): void {
    if (this.tried.length <= this.settings.retries && !this.req.readableEnded && this.settings.retryOnError) return this.attempt();
    this.fail(GRPC_UNAVAILABLE, 'upstream unavailable');
  }

  private expire(): void {
    if (this.done) return;
    this.upstream?.close(http2.constants.NGHTTP2_CANCEL);
    if (this.node !== undefined && this.res.headersSent === false) {
      this.backend.runtime.onAttemptEnd(this.node, { error: 'timeout', latencyMs: performance.now() - this.attemptStartedAt });
    }
    this.fail(GRPC_DEADLINE_EXCEEDED, 'deadline exceeded at the gateway');
  }

  /** A trailers-only gRPC answer (or, once headers went out, the status in the trailers). */
  private fail(code: number, message: string): void {
    if (this.done) return;
    if (this.res.stream.destroyed) return this.finish();
    if (!this.res.headersSent) this.res.writeHead(200, { 'content-type': 'application/grpc' });
    this.res.addTrailers({ 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) });
    this.finish();
  }

  private abort(): void {
    if (this.done) return;
    this.fail(GRPC_INTERNAL, 'upstream stream failed');
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.deadline);
    if (!this.res.stream.destroyed) this.res.end();
    this.host.h2ExchangeDone(this.route, this.res.statusCode, this.startedAt, this.plugins);
  }
}

/** Response headers or trailers minus pseudo-headers and the ones HTTP/2 forbids. */
function responseHeaders(h: H2Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in h) {
    if (name.charCodeAt(0) === 58 || HOP_HEADERS.has(name)) continue;
    const v = h[name];
    if (v !== undefined) out[name] = v as string | string[];
  }
  return out;
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
