import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { InlineUpstream, Route, Upstream } from '@sluice/model';
import { createUpstreamRuntime } from '../../data-plane/src/balancer/upstream-runtime.js';
import { compileHttpMatcher } from '../../data-plane/src/compile/http-matcher.js';
import { resolveTimeouts } from '../../data-plane/src/compile/resolve-timeouts.js';
import type { CompiledRoute, RoutingTable } from '../../data-plane/src/compile/types.js';
import { createBackendPicker } from '../../data-plane/src/compile/weighted-backends.js';
import { createHttpProxy, type HttpProxy } from '../../data-plane/src/proxy/http-proxy.js';
import type { RawFrontOptions } from '../../data-plane/src/proxy/front/raw-front.js';

/** The client-side servers every proxy test runs against. */
export type Front = 'raw' | 'node';
export const FRONTS: Front[] = ['raw', 'node'];

/** A route for the hand-built table: the route document (without id) plus its inline upstream. */
export interface TestRoute {
  id: string;
  route?: Omit<Route, 'id'>;
  upstream: InlineUpstream;
}

/**
 * A routing table built from the real matcher and upstream runtimes, without etcd or the
 * table compiler: what a proxy test needs and nothing more.
 */
export function buildTable(routes: TestRoute[]): RoutingTable & { close(): void } {
  const upstreams = new Map<string, ReturnType<typeof createUpstreamRuntime>>();
  const entries: CompiledRoute[] = routes.map((r, i) => {
    const route: Route = { id: r.id, ...r.route };
    const upstream = { id: `u-${r.id}`, ...r.upstream } as Upstream;
    const runtime = createUpstreamRuntime(upstream.id, upstream);
    upstreams.set(upstream.id, runtime);
    const backends = upstream.nodes.length === 0 && r.route?.backends?.length === 0 ? [] : [{ runtime, upstream, weight: 1 }];
    return {
      id: r.id,
      route,
      createRevision: i + 1,
      backends,
      pickBackend: createBackendPicker(backends),
      timeouts: resolveTimeouts(route, upstream),
      websocket: route.websocket !== false,
    };
  });
  return {
    revision: 1,
    http: compileHttpMatcher(entries),
    upstreams,
    close: () => {
      for (const u of upstreams.values()) u.close();
    },
  };
}

export interface TestProxy {
  port: number;
  url: string;
  proxy: HttpProxy;
  server: net.Server & { closeAllConnections(): void };
  table: RoutingTable & { close(): void };
  done: { routeId: string | undefined; status: number }[];
  close(): Promise<void>;
}

/** A proxy on a free loopback port serving a hand-built table, behind the given front. */
export async function startProxy(routes: TestRoute[], front: Front = 'raw', rawOpts?: RawFrontOptions): Promise<TestProxy> {
  const table = buildTable(routes);
  const done: TestProxy['done'] = [];
  const proxy = createHttpProxy({
    getTable: () => table,
    onRequestDone: (routeId, status) => done.push({ routeId, status }),
  });
  let server: TestProxy['server'];
  if (front === 'raw') server = proxy.createRawServer(rawOpts);
  else {
    const httpServer = http.createServer();
    proxy.attach(httpServer);
    server = httpServer;
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proxy,
    server,
    table,
    done,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      proxy.close();
      table.close();
    },
  };
}

/** One request with node:http (a fresh connection unless an agent is given); the body is collected. */
export function request(
  url: string,
  opts: http.RequestOptions & { body?: Buffer | string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function json(body: Buffer): any {
  return JSON.parse(body.toString('utf8'));
}
