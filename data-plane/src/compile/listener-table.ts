import type { Listener, StreamRoute } from '@sluice/model';
import type { Versioned } from '../config/types.js';
import { clientCaProblem, withClientCa } from '../listeners/client-ca.js';
import { compileHttpMatcher, type CompiledHttpMatcher } from './http-matcher.js';
import { ServerNameMap } from './server-name-map.js';
import type { SniCertificate } from './sni-index.js';
import { compileStreamEntry, type CompiledStreamRoute, type StreamBackendsFor, type StreamPort } from './stream-matcher.js';
import type { CompiledRoute, ServedDocument } from './route-types.js';

/** Declared listener port → port actually bound (`--port-map 80:18080`); unmapped ports bind as declared. */
export type PortMap = ReadonlyMap<number, number>;

/** What one listening socket speaks: HTTPS and TLS listeners share `tls` sockets (routed by SNI). */
export type ListenerSocketKind = 'http' | 'tls' | 'tcp' | 'udp';

/** One listener document, ready for the accept and request paths. */
export interface CompiledListener {
  id: string;
  /** `listeners/<id>`: how logs and the rejected-document metric name it. */
  key: string;
  doc: Listener;
  createRevision: number;
  /** etcd mod_revision of the version compiled. */
  modRevision: number;
  /**
   * The listener and every route and stream route attached to it, each in the version
   * compiled: what stops being served if its socket cannot be bound.
   */
  documents: ServedDocument[];
  /** HTTP and HTTPS: the routes attached to it (and only those). */
  http?: CompiledHttpMatcher<CompiledRoute>;
  /** HTTPS and TLS Terminate: its own certificates by SNI (the first one for unknown names). */
  certs?: ServerNameMap<SniCertificate>;
  /** Terminate listeners with `tls.clientCa`: the handshake asks for a client certificate; `on` refuses a missing or invalid one. */
  clientAuth?: { ca: string; verify: 'on' | 'optional' };
  /** TLS: its stream routes by SNI (`*` for one without). */
  streams?: ServerNameMap<CompiledStreamRoute>;
}

/** Listeners that share one address:port: one socket whose routing considers all of them. */
export interface ListenerSocket {
  /** `<kind>:<address or *>:<bound port>`: an open socket is kept while its key stays. */
  key: string;
  kind: ListenerSocketKind;
  /** Undefined = all addresses. */
  address: string | undefined;
  /** The port bound (after the port map). */
  port: number;
  declaredPort: number;
  listeners: readonly CompiledListener[];
  /** The listener for a request host or TLS server name: exact, longest wildcard, else the one without hostname. */
  byHost: ServerNameMap<CompiledListener>;
  /** TCP and UDP sockets: the stream routes of their one listener, as a stream port plan. */
  stream?: StreamPort;
}

export interface ListenerTable {
  sockets: ReadonlyMap<string, ListenerSocket>;
}

export interface ListenerTableInput {
  listeners: ReadonlyMap<string, Versioned<Listener>>;
  /** Compiled HTTP routes that name listeners (the others belong to the main ports). */
  routes: readonly CompiledRoute[];
  streamRoutes: ReadonlyMap<string, Versioned<StreamRoute>>;
  certificates: ReadonlyMap<string, { cert: SniCertificate; snis: readonly string[] }>;
  backendsFor: StreamBackendsFor;
  portMap?: PortMap;
}

const KIND: Record<Listener['protocol'], ListenerSocketKind> = { HTTP: 'http', HTTPS: 'tls', TLS: 'tls', TCP: 'tcp', UDP: 'udp' };

/**
 * Groups listener documents into sockets and compiles, per listener, the routes attached to
 * it: one HTTP matcher per listener, so a request costs one host lookup plus the usual match,
 * never a filter over all routes. Listeners that cannot share a socket are rejected alone, the
 * older one keeping it: different socket kinds on one address:port, the same hostname twice,
 * two TCP or UDP listeners. Stream routes naming a missing or unsuitable listener, and routes
 * whose listeners all are missing, are rejected with the reason.
 */
export function compileListenerTable(input: ListenerTableInput, rejected: Map<string, string>): ListenerTable {
  const portMap = input.portMap ?? new Map<number, number>();
  const byId = new Map<string, CompiledListener>();
  const sockets = new Map<
    string,
    {
      kind: ListenerSocketKind;
      address: string | undefined;
      port: number;
      declaredPort: number;
      listeners: CompiledListener[];
      byHost: ServerNameMap<CompiledListener>;
    }
  >();

  const byAge = [...input.listeners].sort(([, a], [, b]) => a.createRevision - b.createRevision);
  for (const [id, { doc, createRevision, modRevision }] of byAge) {
    const key = `listeners/${id}`;
    const kind = KIND[doc.protocol];
    const problem = tlsProblem(doc);
    if (problem !== undefined) {
      rejected.set(key, problem);
      continue;
    }
    const port = portMap.get(doc.port) ?? doc.port;
    const socketKey = `${kind}:${doc.address ?? '*'}:${port}`;
    const kindClash = [...sockets.values()].find((s) => s.port === port && s.address === doc.address && s.kind !== kind && sameTransport(s.kind, kind));
    if (kindClash !== undefined) {
      rejected.set(
        key,
        `port ${doc.port} on ${doc.address ?? 'all addresses'} is already used by ${kindClash.kind.toUpperCase()} listener ${kindClash.listeners[0].key}`,
      );
      continue;
    }
    const listener: CompiledListener = { id, key, doc, createRevision, modRevision, documents: [{ key, modRevision }] };
    if (doc.tls?.clientCa !== undefined) listener.clientAuth = { ca: doc.tls.clientCa, verify: doc.tls.clientVerify ?? 'on' };
    let socket = sockets.get(socketKey);
    if (socket === undefined) {
      socket = { kind, address: doc.address, port, declaredPort: doc.port, listeners: [], byHost: new ServerNameMap<CompiledListener>() };
      sockets.set(socketKey, socket);
    } else if (kind === 'tcp' || kind === 'udp') {
      rejected.set(key, `port ${doc.port} on ${doc.address ?? 'all addresses'} already has ${doc.protocol} listener ${socket.listeners[0].key}`);
      continue;
    }
    if (!socket.byHost.add(doc.hostname ?? '*', listener)) {
      rejected.set(key, `hostname ${doc.hostname ?? '(none)'} on port ${doc.port} is already served by another listener`);
      continue;
    }
    socket.listeners.push(listener);
    if (doc.tls?.mode === 'Terminate') listener.certs = certificatesOf(doc, listener.clientAuth, input.certificates, rejected, key);
    byId.set(id, listener);
  }

  attachHttpRoutes(input.routes, byId, rejected);
  const streamsOf = attachStreamRoutes(input.streamRoutes, byId, input.backendsFor, rejected);

  const out = new Map<string, ListenerSocket>();
  for (const [key, s] of sockets) {
    const socket: ListenerSocket = { key, ...s };
    if (s.kind === 'tcp' || s.kind === 'udp') socket.stream = streamPlan(socket, streamsOf.get(s.listeners[0].id) ?? []);
    out.set(key, socket);
  }
  return { sockets: out };
}

function sameTransport(a: ListenerSocketKind, b: ListenerSocketKind): boolean {
  return (a === 'udp') === (b === 'udp');
}

function tlsProblem(doc: Listener): string | undefined {
  if (doc.protocol === 'HTTPS' && doc.tls?.mode !== 'Terminate') return 'an HTTPS listener needs tls.mode Terminate';
  if (doc.protocol === 'TLS' && doc.tls === undefined) return 'a TLS listener needs tls.mode (Terminate or Passthrough)';
  if ((doc.protocol === 'HTTP' || doc.protocol === 'TCP' || doc.protocol === 'UDP') && doc.tls !== undefined)
    return `tls is not meaningful on a ${doc.protocol} listener`;
  if (doc.tls?.clientVerify !== undefined && doc.tls.clientCa === undefined) return 'tls.clientVerify needs tls.clientCa';
  // Refused rather than opened without the check: a listener that must verify clients never serves unverified.
  if (doc.tls?.clientCa !== undefined && doc.tls.mode !== 'Terminate')
    return 'tls.clientCa needs tls.mode Terminate (a passthrough listener never sees client certificates)';
  if (doc.tls?.clientCa !== undefined) return clientCaProblem(doc.tls.clientCa);
  return undefined;
}

/** A listener's own certificates, by their SNIs; the first one also answers names none claims. */
function certificatesOf(
  doc: Listener,
  clientAuth: CompiledListener['clientAuth'],
  certificates: ListenerTableInput['certificates'],
  rejected: Map<string, string>,
  key: string,
): ServerNameMap<SniCertificate> {
  const names = new ServerNameMap<SniCertificate>();
  let first: SniCertificate | undefined;
  const missing: string[] = [];
  for (const sslId of doc.tls?.sslIds ?? []) {
    const found = certificates.get(sslId);
    if (found === undefined) {
      missing.push(sslId);
      continue;
    }
    const cert = clientAuth === undefined ? found.cert : withClientCa(found.cert, clientAuth.ca, clientAuth.verify);
    first ??= cert;
    for (const sni of found.snis) names.add(sni, cert);
  }
  if (first !== undefined && names.default === undefined) names.setDefault(first);
  // Still opened: handshakes for it fail until a certificate arrives, the other listeners serve on.
  if (first === undefined)
    rejected.set(key, missing.length ? `ssl ${missing.join(', ')} does not exist or does not load` : 'a Terminate listener needs tls.sslIds');
  return names;
}

function attachHttpRoutes(routes: readonly CompiledRoute[], byId: ReadonlyMap<string, CompiledListener>, rejected: Map<string, string>): void {
  const attached = new Map<CompiledListener, CompiledRoute[]>();
  for (const route of routes) {
    let served = false;
    for (const id of route.route.listeners ?? []) {
      const listener = byId.get(id);
      if (listener === undefined || (listener.doc.protocol !== 'HTTP' && listener.doc.protocol !== 'HTTPS')) continue;
      served = true;
      if (route.modRevision !== undefined) listener.documents.push({ key: `routes/${route.id}`, modRevision: route.modRevision });
      let list = attached.get(listener);
      if (list === undefined) attached.set(listener, (list = []));
      list.push(route);
    }
    if (!served) rejected.set(`routes/${route.id}`, `none of its listeners (${(route.route.listeners ?? []).join(', ')}) is an open HTTP or HTTPS listener`);
  }
  for (const listener of byId.values()) {
    if (listener.doc.protocol !== 'HTTP' && listener.doc.protocol !== 'HTTPS') continue;
    const matcher = compileHttpMatcher(attached.get(listener) ?? []);
    for (const { entry, reason } of matcher.rejected) rejected.set(`routes/${entry.id}`, reason);
    listener.http = matcher;
  }
}

/** Compiles stream routes that name a listener; TLS ones go into the listener's SNI map. Returns TCP/UDP routes by listener id. */
function attachStreamRoutes(
  streamRoutes: ListenerTableInput['streamRoutes'],
  byId: ReadonlyMap<string, CompiledListener>,
  backendsFor: StreamBackendsFor,
  rejected: Map<string, string>,
): Map<string, CompiledStreamRoute[]> {
  const plain = new Map<string, CompiledStreamRoute[]>();
  const byAge = [...streamRoutes].sort(([, a], [, b]) => a.createRevision - b.createRevision);
  for (const [id, { doc: route, modRevision, createRevision }] of byAge) {
    if (route.status === 'disabled' || route.listener === undefined) continue;
    const key = `stream-routes/${id}`;
    const listener = byId.get(route.listener);
    const wanted = route.protocol.toUpperCase();
    if (listener === undefined) {
      rejected.set(key, `listener ${route.listener} does not exist or is not open`);
      continue;
    }
    if (listener.doc.protocol !== wanted) {
      rejected.set(key, `a ${route.protocol} stream route cannot be served on ${listener.doc.protocol} listener ${route.listener}`);
      continue;
    }
    const entry = compileStreamEntry(id, key, route, modRevision, createRevision, backendsFor, rejected);
    if (entry === undefined) continue;
    if (route.protocol === 'tls') {
      listener.streams ??= new ServerNameMap<CompiledStreamRoute>();
      if (!listener.streams.add(route.sni ?? '*', entry)) rejected.set(key, `SNI ${route.sni ?? '(none)'} on listener ${route.listener} is already routed`);
      else listener.documents.push({ key, modRevision });
      continue;
    }
    const list = plain.get(listener.id) ?? [];
    if (list.length > 0) {
      rejected.set(key, `listener ${route.listener} is already served by stream route ${list[0].key}`);
      continue;
    }
    plain.set(listener.id, [entry]);
    listener.documents.push({ key, modRevision });
  }
  return plain;
}

function streamPlan(socket: ListenerSocket, routes: CompiledStreamRoute[]): StreamPort {
  const only = routes[0];
  return {
    port: socket.port,
    protocol: socket.kind === 'udp' ? 'udp' : 'tcp',
    transport: socket.kind === 'udp' ? 'udp' : 'tcp',
    acceptProxyProtocol: only?.route.acceptProxyProtocol === true,
    routes,
    routeFor: () => only,
  };
}
