import { pluginUpstreamRefs, type Route, type StreamRoute, type Upstream } from '@sluice/model';
import type { UpstreamRuntime } from '../balancer/types.js';
import type { ConfigSnapshot } from '../config/types.js';
import { buildConsumerIndex, compilePluginChain, PluginPrepareError, type PluginRegistry } from '../plugins/index.js';
import { resolveClientTraffic, type ClientTraffic, CLIENT_TRAFFIC_DEFAULTS } from './client-traffic.js';
import { resolveMaxBodySize } from './max-body-size.js';
import { compileHttpMatcher } from './http-matcher.js';
import { compileListenerTable, type PortMap } from './listener-table.js';
import { resolveTimeouts } from './resolve-timeouts.js';
import { createSniIndexCompiler } from './sni-index.js';
import { compileStreamMatcher } from './stream-matcher.js';
import type { CompiledBackend, CompiledRoute, RoutingTable } from './types.js';
import { createBackendPicker } from './weighted-backends.js';

export type CreateUpstreamRuntime = (id: string, upstream: Upstream) => UpstreamRuntime;

export interface CompileResult {
  table: RoutingTable;
  /** Routes left out of the table because they refer to something missing: key → reason. */
  rejected: Map<string, string>;
}

interface CachedRuntime {
  version: number;
  runtime: UpstreamRuntime;
}

/**
 * Turns snapshots into routing tables. Upstream runtimes (health state, balancer counters,
 * probes) are kept from one table to the next while their document is unchanged, so a
 * route edit does not reset health or affinity.
 */
export function createTableCompiler(
  createRuntime: CreateUpstreamRuntime,
  registry: PluginRegistry,
  options: { portMap?: PortMap; clientTraffic?: ClientTraffic } = {},
) {
  let runtimes = new Map<string, CachedRuntime>();
  const sniCompiler = createSniIndexCompiler();

  function runtimeFor(id: string, upstream: Upstream, version: number, next: Map<string, CachedRuntime>): UpstreamRuntime {
    const kept = next.get(id) ?? runtimes.get(id);
    if (kept && kept.version === version) {
      next.set(id, kept);
      return kept.runtime;
    }
    const runtime = createRuntime(id, upstream);
    next.set(id, { version, runtime });
    return runtime;
  }

  function compile(snapshot: ConfigSnapshot): CompileResult {
    const next = new Map<string, CachedRuntime>();
    const rejected = new Map<string, string>();
    const entries: CompiledRoute[] = [];
    // Consumers and global rules are shared by every route: index them once per snapshot.
    const consumers = buildConsumerIndex(
      [...snapshot.consumers.values()].map((v) => v.doc),
      registry,
    );
    const globalRules = [...snapshot.globalRules.values()].map((v) => v.doc);

    for (const [id, { doc: route, modRevision, createRevision }] of snapshot.routes) {
      const backends = compileBackends(`routes/${id}`, `route:${id}`, route, modRevision, snapshot, next, rejected);
      if (!backends) continue;
      const pluginConfig = route.pluginConfigId ? snapshot.pluginConfigs.get(route.pluginConfigId)?.doc : undefined;
      if (route.pluginConfigId && !pluginConfig) {
        rejected.set(`routes/${id}`, `plugin config ${route.pluginConfigId} does not exist`);
        continue;
      }
      let plugins: ReturnType<typeof compilePluginChain>;
      try {
        plugins = compilePluginChain(route.plugins, pluginConfig, globalRules, registry, { routeId: id, consumers });
      } catch (err) {
        // A plugin that cannot prepare its config takes only its own route out.
        if (!(err instanceof PluginPrepareError)) throw err;
        rejected.set(`routes/${id}`, err.message);
        continue;
      }
      // Upstreams that plugins may send to (traffic-split) get runtimes like backends do.
      const pluginBackends = new Map<string, CompiledBackend>();
      let missing: string | undefined;
      for (const ref of [...pluginUpstreamRefs(route), ...(pluginConfig ? pluginUpstreamRefs(pluginConfig) : [])]) {
        const found = snapshot.upstreams.get(ref.id);
        if (!found) {
          missing = ref.id;
          break;
        }
        pluginBackends.set(ref.id, { upstream: found.doc, weight: 1, runtime: runtimeFor(ref.id, found.doc, found.modRevision, next) });
      }
      if (missing !== undefined) {
        rejected.set(`routes/${id}`, `upstream ${missing} (named by a plugin) does not exist`);
        continue;
      }
      entries.push({
        plugins,
        pluginBackends,
        maxBodySize: resolveMaxBodySize(route.plugins, pluginConfig?.plugins, globalRules),
        id,
        route,
        createRevision,
        modRevision,
        backends,
        pickBackend: createBackendPicker(backends),
        timeouts: resolveTimeouts(route, backends[0]?.upstream),
        websocket: route.websocket !== false,
      });
    }

    // Stream routes share the runtime cache, so an upstream used by both has one health view.
    const streams = compileStreamMatcher(
      snapshot.streamRoutes,
      (id, route, modRevision) => compileBackends(`stream-routes/${id}`, `stream-route:${id}`, route, modRevision, snapshot, next, rejected),
      rejected,
    );
    const listenerSslIds = new Set<string>();
    for (const { doc } of snapshot.listeners.values()) for (const sslId of doc.tls?.sslIds ?? []) listenerSslIds.add(sslId);
    const sni = sniCompiler.compile(snapshot.ssls, listenerSslIds);
    for (const [key, reason] of sni.rejected) rejected.set(key, reason);
    // A route that names listeners is served there only; the main ports keep their own matcher.
    const mainEntries: CompiledRoute[] = [];
    const listenerEntries: CompiledRoute[] = [];
    for (const entry of entries) (entry.route.listeners?.length ? listenerEntries : mainEntries).push(entry);
    const listeners = compileListenerTable(
      {
        listeners: snapshot.listeners,
        routes: listenerEntries,
        streamRoutes: snapshot.streamRoutes,
        certificates: sni.certificates,
        backendsFor: (id, route, modRevision) => compileBackends(`stream-routes/${id}`, `stream-route:${id}`, route, modRevision, snapshot, next, rejected),
        portMap: options.portMap,
      },
      rejected,
    );

    const upstreams = new Map<string, UpstreamRuntime>();
    for (const [id, cached] of next) upstreams.set(id, cached.runtime);
    // Runtimes no route or upstream needs anymore stop their probes now; in-flight
    // requests holding them still finish, since closing only stops timers.
    for (const [id, cached] of runtimes) if (next.get(id)?.runtime !== cached.runtime) cached.runtime.close();
    runtimes = next;

    const http = compileHttpMatcher(mainEntries);
    // A route whose conditions cannot compile is left out alone, like an invalid document.
    for (const { entry, reason } of http.rejected) rejected.set(`routes/${entry.id}`, reason);
    // Applies before routing, so it comes from the global rules alone (client-traffic.ts).
    const clientTraffic = resolveClientTraffic(globalRules, options.clientTraffic ?? CLIENT_TRAFFIC_DEFAULTS);
    return { table: { revision: snapshot.revision, http, upstreams, streams, sni: sni.index, listeners, clientTraffic }, rejected };
  }

  function compileBackends(
    key: string,
    inlineKey: string,
    route: Route | StreamRoute,
    modRevision: number,
    snapshot: ConfigSnapshot,
    next: Map<string, CachedRuntime>,
    rejected: Map<string, string>,
  ): CompiledBackend[] | undefined {
    if (route.upstream) {
      // An inline upstream lives and dies with its route's version.
      const upstream = { id: inlineKey.replace(':', '-'), ...route.upstream } as Upstream;
      return [{ upstream, weight: 1, runtime: runtimeFor(inlineKey, upstream, modRevision, next) }];
    }
    const out: CompiledBackend[] = [];
    for (const ref of route.backends ?? []) {
      const found = snapshot.upstreams.get(ref.upstreamId);
      if (!found) {
        rejected.set(key, `upstream ${ref.upstreamId} does not exist`);
        return undefined;
      }
      out.push({
        upstream: found.doc,
        weight: ref.weight ?? 1,
        runtime: runtimeFor(ref.upstreamId, found.doc, found.modRevision, next),
      });
    }
    return out;
  }

  return {
    compile,
    /** Stops every runtime (worker shutdown). */
    close(): void {
      for (const cached of runtimes.values()) cached.runtime.close();
      runtimes = new Map();
    },
  };
}

export type TableCompiler = ReturnType<typeof createTableCompiler>;
