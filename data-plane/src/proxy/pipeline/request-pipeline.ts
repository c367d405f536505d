import type { TLSSocket } from 'node:tls';
import { CLIENT_TRAFFIC_DEFAULTS } from '../../compile/client-traffic.js';
import type { CompiledRoute, MatchInput, RoutingTable } from '../../compile/types.js';
import { removeHeader } from '../../plugins/flat-headers.js';
import type { ShortCircuit } from '../../plugins/plugin.js';
import { PluginContext } from '../../plugins/plugin-context.js';
import { clientAddress } from '../client-address.js';
import { sendError, type ProxyErrorCode } from '../error-responses.js';
import type { ClientSide } from '../front/client-side.js';
import { CLIENT_CLOSED_STATUS, ProxyExchange, type ExchangeHost } from '../proxy-exchange.js';
import { upstreamSettings } from '../upstream-settings.js';
import { checkRequestHead, takeAbsoluteAuthority } from './check-request-head.js';
import { normalizeTarget } from './normalize-target.js';
import { MISDIRECTED, type RouteScope } from './route-scope.js';

/** What the pipeline needs of the proxy around it. */
export interface PipelineHost extends ExchangeHost {
  /** Read once per request; undefined before the first config (→ 503). */
  getTable(): RoutingTable | undefined;
  /** Metrics hook, called once per request (http-proxy.ts says what the optional figures are). */
  onRequestDone?(routeId: string | undefined, status: number, durationMs: number, upstreamMs?: number, requestBytes?: number, responseBytes?: number): void;
  /** Requests a plugin is still deciding (async phases), counted for drain. */
  inFlight: number;
  logger?: { debug?(obj: object, msg: string): void };
}

/** Upgrade tokens that are never tunneled: h2c would open an HTTP/2 connection behind the gateway's routing (h2c smuggling). */
const NEVER_TUNNELED = 'h2c';

/**
 * The one request pipeline, for every protocol and listener (HTTP/1.1 on the raw front or
 * node:http, HTTP/2, gRPC, WebSocket and other upgrades, main ports and Gateway listeners):
 *
 *   normalize → route → access phases → upstream attempts → response phases → log
 *
 * - normalize: the head checks every protocol shares (one Host, a host that is a host, header
 *   names with underscores per client-traffic), then the request-target: an ambiguous or
 *   malformed one is refused (400), a path with encoded slashes redirected per policy, and the
 *   normalized path is what is matched AND forwarded;
 * - route: the scope (main ports or a Gateway listener socket) applies the TLS front's
 *   SNI/Host rule (421) and gives the matcher; the body limit of the route is set;
 * - access phases: the route's plugin chain (rewrite, auth, access, beforeProxy), for
 *   upgrades too; any of them may answer;
 * - upstream attempts: `ProxyExchange`, which also runs the response phases;
 * - log: `exchangeDone`.
 * Transports only carry bytes: nothing protocol-specific is decided here but gRPC's need for
 * HTTP/2 and which upgrades may become tunnels.
 */
export class RequestPipeline {
  /** Matching is synchronous, so one input object serves every request. */
  private readonly matchInput: MatchInput = { host: undefined, path: '/', method: 'GET', headers: {}, query: '' };

  constructor(private readonly host: PipelineHost) {}

  handle(client: ClientSide, scope: RouteScope): void {
    const startedAt = performance.now();
    const table = this.host.getTable();
    if (table === undefined) return this.answer(undefined, client, 'GW_ERR_UPSTREAM_UNAVAILABLE', startedAt);
    const traffic = table.clientTraffic ?? CLIENT_TRAFFIC_DEFAULTS;

    // --- normalize ---
    const problem = checkRequestHead(client, traffic);
    if (problem !== undefined) return this.refuse(client, problem, startedAt);
    const target = normalizeTarget(client.url, traffic.path);
    if (target.kind === 'invalid') return this.refuse(client, target.reason, startedAt);
    if (target.kind === 'redirect') return this.redirect(client, target.location, startedAt);
    client.path = target.path;
    client.query = target.query;
    if (target.authority !== undefined) {
      const conflict = takeAbsoluteAuthority(client, target.authority);
      if (conflict !== undefined) return this.refuse(client, conflict, startedAt);
    }

    // --- route ---
    const matcher = scope.matcherFor(client, table);
    if (matcher === MISDIRECTED) return this.answer(undefined, client, 'GW_ERR_MISDIRECTED', startedAt);
    const route = matcher?.match(this.fillMatchInput(client));
    if (route === undefined) return this.answer(undefined, client, 'GW_ERR_ROUTE_NOT_FOUND', startedAt);
    const upgrade = client.upgrade === undefined || client.upgrade.toLowerCase() === NEVER_TUNNELED ? undefined : client.upgrade;
    if (upgrade !== undefined && !route.websocket) return this.answer(route.id, client, 'GW_ERR_ROUTE_NOT_FOUND', startedAt);
    const maxBody = route.maxBodySize;
    if (maxBody !== undefined) {
      const length = client.headers['content-length'];
      // Refused before a byte of it is read; the connection then ends rather than read it all.
      if (length !== undefined && Number(length) > maxBody) return this.answer(route.id, client, 'GW_ERR_BODY_TOO_LARGE', startedAt, true);
      client.limitBody(maxBody);
    }

    // --- access phases ---
    const chain = route.plugins;
    if (chain === undefined) return this.forward(client, route, undefined, startedAt, upgrade);
    const ctx = new PluginContext(
      client.method,
      client.path,
      client.query,
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
      const host = this.host;
      host.inFlight++;
      verdict.then(
        (v) => {
          host.inFlight--;
          this.afterAccess(client, route, ctx, v, startedAt, upgrade);
        },
        () => {
          host.inFlight--;
          this.afterAccess(client, route, ctx, { status: 500, body: 'plugin failed' }, startedAt, upgrade);
        },
      );
      return;
    }
    this.afterAccess(client, route, ctx, verdict, startedAt, upgrade);
  }

  private afterAccess(
    client: ClientSide,
    route: CompiledRoute,
    ctx: PluginContext,
    verdict: ShortCircuit | undefined,
    startedAt: number,
    upgrade: string | undefined,
  ): void {
    if (client.destroyed) {
      // The client left while a plugin waited: the log phase still runs (limit-conn releases its slot).
      const ms = performance.now() - startedAt;
      this.host.onRequestDone?.(route.id, CLIENT_CLOSED_STATUS, ms);
      ctx.chain!.runLog(ctx, CLIENT_CLOSED_STATUS, ms);
      return;
    }
    if (verdict === undefined) return this.forward(client, route, ctx, startedAt, upgrade);
    const head = ctx.chain!.respond(ctx, verdict);
    if (this.host.draining) head.headers.push('Connection', 'close');
    const body = head.body === undefined ? undefined : typeof head.body === 'string' ? Buffer.from(head.body) : head.body;
    if (body !== undefined) {
      removeHeader(head.headers, 'content-length');
      head.headers.push('Content-Length', String(body.length));
    }
    client.writeHead(head.status, head.headers);
    client.end(body);
    ctx.bytesSent = body?.length ?? 0;
    const ms = performance.now() - startedAt;
    this.host.onRequestDone?.(route.id, head.status, ms);
    ctx.chain!.runLog(ctx, head.status, ms);
  }

  /** Hands the request to the upstream attempt engine. */
  private forward(client: ClientSide, route: CompiledRoute, ctx: PluginContext | undefined, startedAt: number, upgrade: string | undefined): void {
    const chosen = ctx?.backendUpstreamId;
    const backend = chosen === undefined ? route.pickBackend() : route.pluginBackends.get(chosen);
    if (backend === undefined) return this.answer(route.id, client, 'GW_ERR_UPSTREAM_UNAVAILABLE', startedAt);
    const settings = upstreamSettings(backend.upstream);
    // gRPC needs HTTP/2 end to end: an HTTP/1.1 client cannot be carried to such an upstream.
    if (settings.grpc && !client.http2) return this.answer(route.id, client, 'GW_ERR_UPSTREAM_RESPONSE', startedAt);
    this.host.inFlight++;
    new ProxyExchange(this.host, client, route, backend, settings, startedAt, ctx, upgrade).start();
  }

  /**
   * 400 for what cannot be served as sent; the reason goes to the debug log, never to the
   * client. The connection ends with it: after an ambiguous request, its next bytes are not
   * trusted to start a request.
   */
  private refuse(client: ClientSide, reason: string, startedAt: number): void {
    this.host.logger?.debug?.({ url: client.url, reason }, 'request refused');
    this.answer(undefined, client, 'GW_ERR_REQUEST_INVALID', startedAt, true);
  }

  /** 307 to the normalized path (the method and body are kept by the client). */
  private redirect(client: ClientSide, location: string, startedAt: number): void {
    client.writeHead(307, ['Location', location, 'Content-Length', '0', ...(this.host.draining ? ['Connection', 'close'] : [])]);
    client.end();
    this.host.onRequestDone?.(undefined, 307, performance.now() - startedAt);
  }

  private answer(routeId: string | undefined, client: ClientSide, code: ProxyErrorCode, startedAt: number, closing = this.host.draining): void {
    const status = sendError(client, code, closing);
    this.host.onRequestDone?.(routeId, status, performance.now() - startedAt);
  }

  private fillMatchInput(client: ClientSide): MatchInput {
    const input = this.matchInput;
    input.host = client.host;
    input.method = client.method;
    input.headers = client.headers;
    input.path = client.path;
    input.query = client.query;
    return input;
  }
}
