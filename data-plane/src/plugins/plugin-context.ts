import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type { Consumer } from '@sluice/model';
import { headerOp, type HeaderOp } from './header-ops.js';
import type { ResponseHead, ShortCircuit } from './plugin-answers.js';
import type { ErrorPagesTarget, RequestMirrorTarget } from './proxy-directives.js';

/** What the proxy calls on the chain a request runs with (a PluginChain). */
export interface RequestChain {
  /** The response head through the context's header ops and every headerFilter. */
  runResponseHeaders(ctx: PluginContext, status: number, headers: string[]): ResponseHead;
  /** A plugin's short-circuit answer, through the same filters. */
  respond(ctx: PluginContext, answer: ShortCircuit): ResponseHead;
  runLog(ctx: PluginContext, status: number, durationMs: number): void;
}

type Query = Record<string, string | string[] | undefined>;

/**
 * One per request, made only for routes that have plugins. It is the request as plugins see
 * it, the scratch space they share, and the changes they ask of the upstream request, which
 * the proxy applies when it writes the upstream request head.
 */
export class PluginContext {
  /** The authenticated consumer, set by an auth plugin in rewrite. */
  consumer: Consumer | undefined = undefined;
  /** Scratch space for plugins (e.g. a rate limit's numbers for the response headers). */
  readonly vars: Record<string, unknown> = {};
  /** The chain running this request: the route's, or the route's merged with the consumer's. */
  chain: RequestChain | undefined = undefined;

  /** Upstream overrides; undefined = unchanged. The path excludes the query string. */
  upstreamPath: string | undefined = undefined;
  /** Raw query string sent upstream, without `?` ('' drops it). */
  upstreamQuery: string | undefined = undefined;
  upstreamHost: string | undefined = undefined;
  upstreamMethod: string | undefined = undefined;
  /** Set by gzip/brotli in headerFilter: the proxy compresses the body as it streams. */
  responseCompression: { encoding: 'gzip' | 'br'; level: number } | undefined = undefined;
  /** An upstream chosen by a plugin (traffic-split) instead of the route's backends. */
  backendUpstreamId: string | undefined = undefined;
  /** Set by request-mirror when this request is sampled: the proxy copies it to these upstreams. */
  mirrors: readonly RequestMirrorTarget[] | undefined = undefined;
  /** Set by error-pages: upstream statuses the proxy replaces with the error-page upstream's answer. */
  errorPages: ErrorPagesTarget | undefined = undefined;
  /** Changes to the upstream request headers, in order. */
  upstreamHeaderOps: HeaderOp[] | undefined = undefined;
  /** Changes to the response headers (applied after the headerFilter phase of the chain). */
  responseHeaderOps: HeaderOp[] | undefined = undefined;
  /** The status the upstream answered (set by the chain's runResponseHeaders, before filters). */
  upstreamStatus: number | undefined = undefined;
  /** A plugin answered the request itself (set by the chain's respond): the upstream was never asked. */
  answeredByPlugin = false;

  /** Set by the proxy for the log phase: the upstream node of the last attempt, `host:port`. */
  upstreamAddress: string | undefined = undefined;
  /** Set by the proxy for the log phase: response body bytes sent to the client. */
  bytesSent: number | undefined = undefined;

  private parsedQuery: Query | undefined = undefined;

  constructor(
    readonly method: string,
    /** Path without the query string, as received. */
    readonly path: string,
    /** Raw query string without `?` ('' when none). */
    readonly rawQuery: string,
    /** Lower-case names, as Node gives them. */
    readonly headers: IncomingHttpHeaders,
    /** The socket's address; real-ip replaces it with the one trusted proxies report. */
    public clientAddress: string,
    readonly scheme: 'http' | 'https',
    readonly routeId: string,
    /** When the request arrived (performance.now() or Date.now(), the proxy's choice). */
    readonly startTime = 0,
    /** The client connection (a TLSSocket on the HTTPS port), for plugins that read the handshake. */
    readonly socket: Socket | undefined = undefined,
  ) {}

  /** The Host header (may carry a port), or ''. */
  get host(): string {
    return this.headers.host ?? '';
  }

  /** A header's value; repeated headers are joined with ", ". */
  header(lowerCaseName: string): string | undefined {
    const value = this.headers[lowerCaseName];
    return typeof value === 'string' || value === undefined ? value : value.join(', ');
  }

  /** The query string parsed once, on first use (`+` as space; bad escapes kept as written). */
  get query(): Query {
    if (this.parsedQuery === undefined) this.parsedQuery = this.rawQuery.length ? parseQueryString(this.rawQuery) : {};
    return this.parsedQuery;
  }

  queryParam(name: string): string | undefined {
    const q = this.rawQuery;
    if (this.parsedQuery === undefined && q.indexOf('%') < 0 && q.indexOf('+') < 0) {
      // Nothing to decode: read the first `name=value` in place instead of parsing the whole
      // query (the usual single lookup, e.g. an API key), with the parser's semantics.
      const at = q.startsWith(`${name}=`) ? 0 : q.indexOf(`&${name}=`) + 1;
      if (at === 0 && !q.startsWith(`${name}=`))
        return q === name || q.startsWith(`${name}&`) || q.includes(`&${name}&`) || q.endsWith(`&${name}`) ? '' : undefined;
      const start = at + name.length + 1;
      const end = q.indexOf('&', start);
      return end < 0 ? q.slice(start) : q.slice(start, end);
    }
    const value = this.query[name];
    return typeof value === 'string' || value === undefined ? value : value[0];
  }

  setUpstreamHeader(name: string, value: string): void {
    (this.upstreamHeaderOps ??= []).push(headerOp('set', name, value));
  }

  removeUpstreamHeader(name: string): void {
    (this.upstreamHeaderOps ??= []).push(headerOp('remove', name));
  }

  addUpstreamHeaderOps(ops: readonly HeaderOp[]): void {
    if (ops.length) (this.upstreamHeaderOps ??= []).push(...ops);
  }

  setResponseHeader(name: string, value: string): void {
    (this.responseHeaderOps ??= []).push(headerOp('set', name, value));
  }

  /** The request-target for the upstream: the (rewritten) path and query. */
  upstreamTarget(): string {
    const path = this.upstreamPath ?? this.path;
    const query = this.upstreamQuery ?? this.rawQuery;
    return query.length ? `${path}?${query}` : path;
  }
}
