import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Upstream } from '@sluice/model';
import { createUpstreamRuntime } from './balancer/upstream-runtime.js';
import { createTableCompiler } from './compile/compile-table.js';
import type { ClientTraffic } from './compile/client-traffic.js';
import { createFallbackCompiler } from './compile/fallback-compiler.js';
import type { PortMap } from './compile/listener-table.js';
import type { RoutingTable } from './compile/types.js';
import type { ConfigSnapshot, ConfigSource, SnapshotInfo, SourceState } from './config/types.js';
import type { Logger } from './observe/logger.js';
import { createGatewayListeners, type ListenerStatus } from './listeners/gateway-listeners.js';
import { createWorkerMetrics, type WorkerMetrics } from './observe/worker-metrics.js';
import { createPluginRegistry, type PluginRegistry } from './plugins/index.js';
import { createHttpProxy, type HttpProxy } from './proxy/http-proxy.js';
import { MainHttpsPort } from './tls/main-https-port.js';
import { createStreamListeners } from './stream/stream-listeners.js';

export interface WorkerOptions {
  source: ConfigSource;
  /** 0 picks a free port (in a cluster worker the primary owns the real socket). */
  httpPort: number;
  /** TLS-terminating port with certificates from `ssls` by SNI; none when undefined. */
  httpsPort?: number;
  host?: string;
  /** Gateway listener ports: declared → bound (`--port-map 80:18080`). */
  portMap?: PortMap;
  /** Client-traffic defaults (flags); client-traffic global rules override them. */
  clientTraffic?: ClientTraffic;
  logger: Logger;
  metrics?: WorkerMetrics;
  /** Client-side HTTP/1.1 server: the raw llhttp front (default) or node:http. */
  front?: 'raw' | 'node';
  /** Built-in plugins plus those loaded from --plugins-dir (default: built-ins only). */
  plugins?: PluginRegistry;
  /** Told after every table swap and source state change (the cluster worker forwards it to the primary). */
  onState?(state: WorkerState): void;
}

/** What a worker tells the outside world about the config it serves. */
export interface WorkerState {
  /** etcd revision of the table in use; 0 before the first config. */
  revision: number;
  origin: SnapshotInfo['origin'] | 'none';
  source: SourceState;
  routes: number;
  /** `<collection>/<id>` → why the version seen is not served (a reason may say an earlier version is). */
  rejected: Record<string, string>;
  /** `<collection>/<id>` of documents compiled but not served yet (their socket is still binding). */
  pending: string[];
  appliedAt: number;
  /** Gateway listeners: open, opening, or failed to bind. */
  listeners: ListenerStatus[];
}

/**
 * One data-plane worker: config source → compiler → atomic table swap → proxy servers.
 * A factory with no process-level side effects, so tests run it in-process on port 0.
 */
export function createWorker(opts: WorkerOptions) {
  const { source, logger } = opts;
  const metrics = opts.metrics ?? createWorkerMetrics();
  // A document whose new version cannot take effect keeps its last good one (fallback-compiler.ts).
  const compiler = createFallbackCompiler(
    createTableCompiler(
      (id: string, upstream: Upstream) =>
        createUpstreamRuntime(id, upstream, {
          logger,
          onHealthChange: (node: string, healthy: boolean) => metrics.upstreamHealthy.set({ upstream: id, node }, healthy ? 1 : 0),
        }),
      opts.plugins ?? createPluginRegistry([], logger),
      { portMap: opts.portMap, clientTraffic: opts.clientTraffic },
    ),
  );
  let table: RoutingTable | undefined;
  /** The snapshot served, compiled again when a version's socket cannot be bound. */
  let current: { snapshot: ConfigSnapshot; info: SnapshotInfo } | undefined;
  let state: WorkerState = { revision: 0, origin: 'none', source: 'connecting', routes: 0, rejected: {}, pending: [], appliedAt: 0, listeners: [] };

  const proxy = createHttpProxy({
    getTable: () => table,
    onRequestDone: metrics.recordRequest,
    logger,
  });
  const server = createFrontServer(proxy, opts.front ?? 'raw');
  const https =
    opts.httpsPort === undefined
      ? undefined
      : new MainHttpsPort({ front: server, h2: proxy.h2 as unknown as net.Server, logger, traffic: metrics.streamTraffic });
  let boundPorts: number[] = [];
  const streams = createStreamListeners({
    host: opts.host,
    logger,
    traffic: metrics.streamTraffic,
    reservedPorts: () => boundPorts,
    https,
    onRejectedChange: () => socketsChanged(),
  });
  const gatewayListeners = createGatewayListeners({
    proxy,
    logger,
    traffic: metrics.streamTraffic,
    onChange: () => socketsChanged(),
  });
  /** Rejections of the last compile; listener failures are added on top as they happen. */
  let compileRejected: Map<string, string> = new Map();

  function withListenerRejections(rejected: Map<string, string>): Record<string, string> {
    const all = new Map([...rejected, ...streams.rejected(), ...gatewayListeners.rejected()]);
    metrics.documentsRejected.set(all.size);
    return Object.fromEntries(all);
  }

  /** Documents compiled into the table whose socket is still binding: not served yet. */
  function pendingDocuments(): string[] {
    return [...streams.pending(), ...gatewayListeners.pending()].sort();
  }

  /**
   * Tells the fallback compiler which versions could not be bound; true when that changes
   * what should be served (an earlier version takes over), so the snapshot is compiled again.
   */
  function noteBindFailures(): boolean {
    let changed = false;
    for (const failure of [...streams.failures(), ...gatewayListeners.failures()]) {
      for (const doc of failure.documents) if (compiler.markUnbindable(doc.key, doc.modRevision, failure.reason)) changed = true;
    }
    return changed;
  }

  /** A socket bound or failed to: put earlier versions back in force, or just report. */
  function socketsChanged(): void {
    if (current !== undefined && noteBindFailures()) return apply(current.snapshot, current.info);
    publish({ rejected: withListenerRejections(compileRejected), pending: pendingDocuments(), listeners: gatewayListeners.status() });
  }

  function publish(patch: Partial<WorkerState>): void {
    state = { ...state, ...patch };
    metrics.etcdConnected.set(state.source === 'live' ? 1 : 0);
    metrics.configStale.set(state.origin === 'disk-cache' || state.source === 'stale' ? 1 : 0);
    opts.onState?.(state);
  }

  function swap(next: RoutingTable): void {
    // One assignment: a request reads `table` once, so it sees the old or the new table, never a mix.
    table = next;
    https?.setIndex(next.sni);
    streams.apply(next.streams);
    gatewayListeners.apply(next.listeners);
  }

  function apply(snapshot: ConfigSnapshot, info: SnapshotInfo): void {
    current = { snapshot, info };
    const started = performance.now();
    try {
      let { table: next, rejected } = compiler.compile(snapshot);
      swap(next);
      // A port refused at once (one of the gateway's own) puts the route's earlier version back before anything is reported.
      if (noteBindFailures()) {
        ({ table: next, rejected } = compiler.compile(snapshot));
        swap(next);
      }
      const allRejected = new Map([...info.rejected, ...rejected]);
      compileRejected = allRejected;
      for (const [key, reason] of rejected) logger.warn({ key, revision: snapshot.revision, reason }, 'document rejected');
      const seconds = (performance.now() - started) / 1000;
      metrics.compileSeconds.observe(seconds);
      metrics.configRevision.set(snapshot.revision);
      metrics.routes.set(next.http.size);
      metrics.documentsRejected.set(allRejected.size);
      metrics.retainRoutes(new Set(snapshot.routes.keys()), new Set(snapshot.streamRoutes.keys()));
      metrics.certificateExpiry.update(snapshot.ssls);
      // Health gauges start at the runtimes' current view; later flips come from onHealthChange.
      metrics.upstreamHealthy.reset();
      for (const [id, runtime] of next.upstreams) {
        for (const node of runtime.health()) metrics.upstreamHealthy.set({ upstream: id, node: node.key }, node.healthy ? 1 : 0);
      }
      logger.debug({ revision: snapshot.revision, routes: next.http.size, ms: seconds * 1000 }, 'routing table swapped');
      publish({
        revision: snapshot.revision,
        origin: info.origin,
        source: source.state,
        routes: next.http.size,
        rejected: withListenerRejections(allRejected),
        pending: pendingDocuments(),
        appliedAt: Date.now(),
        listeners: gatewayListeners.status(),
      });
    } catch (err) {
      // A compile failure keeps the last good table: traffic must never pay for a bad config.
      logger.error({ err, revision: snapshot.revision }, 'routing table compile failed; keeping the previous table');
    }
  }

  return {
    metrics,
    get table(): RoutingTable | undefined {
      return table;
    },
    get state(): WorkerState {
      return state;
    },
    /** Binds the HTTP port; requests get 503 until a config is loaded. */
    async listen(): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.httpPort, opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const httpPort = (server.address() as AddressInfo).port;
      boundPorts = [httpPort];
      if (https !== undefined) boundPorts.push(await https.listen(opts.httpsPort!, opts.host));
      return httpPort;
    },
    /** The bound HTTPS port (after listen), or undefined when there is none. */
    get httpsPort(): number | undefined {
      return https === undefined ? undefined : boundPorts[1];
    },
    /** Open stream and Gateway listener ports as `<transport>:<port>`. */
    get streamPorts(): string[] {
      return [...streams.openPorts(), ...gatewayListeners.openPorts()];
    },
    /** Resolves once the first config (from etcd or the disk cache) is served. */
    async load(): Promise<void> {
      await source.start(apply);
    },
    /** listen() then load(). */
    async start(): Promise<{ httpPort: number }> {
      const httpPort = await this.listen();
      await this.load();
      return { httpPort };
    },
    /** Reports a source state change (live / stale) without a new table. */
    sourceStateChanged(s: SourceState): void {
      publish({ source: s });
    },
    /** Graceful stop: no new connections, in-flight requests finish, upgraded sockets get `graceMs`. */
    async drain(graceMs: number): Promise<void> {
      server.close();
      https?.close();
      await Promise.all([proxy.drain(graceMs), streams.drain(graceMs), gatewayListeners.drain(graceMs)]);
      await this.close();
    },
    async close(): Promise<void> {
      server.close();
      https?.close();
      streams.close();
      gatewayListeners.close();
      server.closeAllConnections();
      proxy.close();
      compiler.close();
      await source.close();
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

/** The proxy's client-facing server, not yet listening. */
function createFrontServer(proxy: HttpProxy, front: 'raw' | 'node'): net.Server & { closeAllConnections(): void } {
  if (front === 'raw') return proxy.createRawServer({ keepAliveTimeoutMs: 65_000, headersTimeoutMs: 60_000 });
  const server = http.createServer({ keepAliveTimeout: 65_000, noDelay: true });
  proxy.attach(server);
  return server;
}
