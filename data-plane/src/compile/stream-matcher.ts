import type { StreamRoute } from '@sluice/model';
import type { Versioned } from '../config/types.js';
import { compileRemoteAllowList, type RemoteAllowList } from '../stream/remote-allow-list.js';
import type { CompiledBackend } from './route-types.js';
import { ServerNameMap } from './server-name-map.js';
import { createBackendPicker } from './weighted-backends.js';

const DEFAULT_CONNECT_MS = 5_000;
/** With no `timeout`, a quiet stream lives up to an hour (like an upgraded HTTP connection). */
const DEFAULT_IDLE_MS = 3_600_000;
const MAX_DEFAULT_RETRIES = 5;

/** A stream route ready for the accept path. */
export interface CompiledStreamRoute {
  id: string;
  /** `stream-routes/<id>`: how logs and the rejected-document metric name it. */
  key: string;
  route: StreamRoute;
  createRevision: number;
  /** etcd mod_revision of the version compiled. */
  modRevision: number;
  backends: CompiledBackend[];
  pickBackend(): CompiledBackend | undefined;
  allows: RemoteAllowList;
  idleMs: number;
  connectMs: number;
  /** Extra connect attempts on other nodes when one refuses or times out. */
  retries: number;
  proxyProtocol: 'v1' | 'v2' | undefined;
}

/** Everything served on one listening port. */
export interface StreamPort {
  port: number;
  /** `tls` ports route by the ClientHello's SNI; `tcp` and `udp` ports have one route. */
  protocol: StreamRoute['protocol'];
  transport: 'tcp' | 'udp';
  /** Connections start with a load balancer's PROXY protocol header (read before any routing). */
  acceptProxyProtocol: boolean;
  routes: readonly CompiledStreamRoute[];
  /** The route for a connection (its SNI on `tls` ports), undefined when none fits. */
  routeFor(serverName: string | undefined): CompiledStreamRoute | undefined;
}

export interface StreamTable {
  /** Keyed by `<transport>:<port>`: TCP and UDP may use the same port number. */
  ports: ReadonlyMap<string, StreamPort>;
}

export type StreamBackendsFor = (id: string, route: StreamRoute, modRevision: number) => CompiledBackend[] | undefined;

export function streamPortKey(transport: 'tcp' | 'udp', port: number): string {
  return `${transport}:${port}`;
}

/**
 * Groups stream routes by listening port. Routes that cannot share a port are rejected alone,
 * the older document keeping it: TCP and TLS on one port, two plain `tcp` (or `udp`) routes,
 * two `tls` routes with the same SNI, two `tls` defaults (no SNI), `tls` routes that disagree
 * on `acceptProxyProtocol` (the header comes before the ClientHello, so it is per port).
 */
export function compileStreamMatcher(
  streamRoutes: ReadonlyMap<string, Versioned<StreamRoute>>,
  backendsFor: StreamBackendsFor,
  rejected: Map<string, string>,
): StreamTable {
  const byPort = new Map<string, { protocol: StreamRoute['protocol']; routes: CompiledStreamRoute[]; names?: ServerNameMap<CompiledStreamRoute> }>();
  const byAge = [...streamRoutes].sort(([, a], [, b]) => a.createRevision - b.createRevision);
  for (const [id, { doc: route, modRevision, createRevision }] of byAge) {
    // Routes on a Gateway listener are served by that listener's socket (listener-table.ts).
    if (route.status === 'disabled' || route.listener !== undefined) continue;
    const key = `stream-routes/${id}`;
    const entry = compileStreamEntry(id, key, route, modRevision, createRevision, backendsFor, rejected);
    if (entry === undefined) continue;
    const transport = route.protocol === 'udp' ? 'udp' : 'tcp';
    const portKey = streamPortKey(transport, route.listenPort);
    const existing = byPort.get(portKey);
    if (existing === undefined) {
      const names = route.protocol === 'tls' ? new ServerNameMap<CompiledStreamRoute>() : undefined;
      names?.add(route.sni ?? '*', entry);
      byPort.set(portKey, { protocol: route.protocol, routes: [entry], names });
      continue;
    }
    const holder = existing.routes[0].key;
    if (existing.protocol !== route.protocol) {
      rejected.set(key, `port ${route.listenPort} is already used by ${existing.protocol} stream route ${holder}`);
    } else if ((existing.routes[0].route.acceptProxyProtocol === true) !== (route.acceptProxyProtocol === true)) {
      rejected.set(key, `acceptProxyProtocol on port ${route.listenPort} must match stream route ${holder}`);
    } else if (existing.names === undefined) {
      rejected.set(key, `port ${route.listenPort} is already used by stream route ${holder}`);
    } else if (!existing.names.add(route.sni ?? '*', entry)) {
      rejected.set(
        key,
        route.sni ? `SNI ${route.sni} on port ${route.listenPort} is already routed` : `port ${route.listenPort} already has a default (no SNI) tls route`,
      );
    } else {
      existing.routes.push(entry);
    }
  }
  const ports = new Map<string, StreamPort>();
  for (const [portKey, { protocol, routes, names }] of byPort) {
    const only = routes[0];
    ports.set(portKey, {
      port: only.route.listenPort,
      protocol,
      transport: protocol === 'udp' ? 'udp' : 'tcp',
      acceptProxyProtocol: only.route.acceptProxyProtocol === true,
      routes,
      routeFor: names ? (serverName) => names.lookup(serverName) : () => only,
    });
  }
  return { ports };
}

export function compileStreamEntry(
  id: string,
  key: string,
  route: StreamRoute,
  modRevision: number,
  createRevision: number,
  backendsFor: StreamBackendsFor,
  rejected: Map<string, string>,
): CompiledStreamRoute | undefined {
  if (route.sni !== undefined && route.protocol !== 'tls') {
    rejected.set(key, `sni is only meaningful for protocol tls, not ${route.protocol}`);
    return undefined;
  }
  if (route.acceptProxyProtocol === true && route.protocol === 'udp') {
    rejected.set(key, 'acceptProxyProtocol is supported on tcp and tls stream routes, not udp');
    return undefined;
  }
  let allows: RemoteAllowList;
  try {
    allows = compileRemoteAllowList(route.remoteAddrs);
  } catch (err) {
    rejected.set(key, (err as Error).message);
    return undefined;
  }
  const backends = backendsFor(id, route, modRevision);
  if (backends === undefined) return undefined;
  const upstream = backends[0]?.upstream;
  const nodeCount = backends.reduce((n, b) => n + b.runtime.nodes.length, 0);
  return {
    id,
    key,
    route,
    createRevision,
    modRevision,
    backends,
    pickBackend: createBackendPicker(backends),
    allows,
    idleMs: route.timeout !== undefined ? route.timeout * 1000 : DEFAULT_IDLE_MS,
    connectMs: upstream?.timeout?.connect !== undefined ? upstream.timeout.connect * 1000 : DEFAULT_CONNECT_MS,
    retries: upstream?.retries ?? Math.min(MAX_DEFAULT_RETRIES, Math.max(0, nodeCount - 1)),
    proxyProtocol: route.proxyProtocol,
  };
}
