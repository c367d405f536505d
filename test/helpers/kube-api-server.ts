/**
 * A test stand-in for a kube-apiserver, which cannot run here (no container runtime, no cluster).
 * It speaks just enough of the Kubernetes REST protocol for the REAL `@kubernetes/client-node`
 * informers and clients:
 *   - list:   GET /api/v1/services, /apis/<group>/<version>/<plural>, and the
 *             /namespaces/<ns>/ variants, answering `{items, metadata: {resourceVersion}}`;
 *   - watch:  the same paths with `?watch=true&resourceVersion=N`, streaming one JSON line per
 *             `{"type":"ADDED|MODIFIED|DELETED","object":...}` newer than N; a version older than
 *             the retained history gets an `ERROR` event with a 410 Status (as etcd compaction does);
 *   - objects: GET/POST/PUT/DELETE of one object, and the `status` subresource (PUT .../status);
 *   - one resourceVersion counter for everything, like etcd's revision.
 * Plain HTTP without auth by default; with `tls` it serves HTTPS, and with `token` it answers 401
 * to a request without `Authorization: Bearer <token>` (an in-cluster service account).
 * No admission, no field/label selectors, no server-side apply. Tests change objects
 * through the methods below (`apply`, `remove`, `compact`, `dropWatches`) or over HTTP.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

interface ResourceType {
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

const TYPES: ResourceType[] = [
  { kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true },
  { kind: 'IngressClass', group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', namespaced: false },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true },
  { kind: 'Endpoints', group: '', version: 'v1', plural: 'endpoints', namespaced: true },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
  { kind: 'Event', group: '', version: 'v1', plural: 'events', namespaced: true },
  { kind: 'RoutePolicy', group: 'sluice.dev', version: 'v1alpha1', plural: 'routepolicies', namespaced: true },
  { kind: 'Consumer', group: 'sluice.dev', version: 'v1alpha1', plural: 'consumers', namespaced: true },
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', namespaced: false },
  { kind: 'Gateway', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways', namespaced: true },
  { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespaced: true },
  { kind: 'GRPCRoute', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes', namespaced: true },
  { kind: 'TLSRoute', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'tlsroutes', namespaced: true },
  { kind: 'TCPRoute', group: 'gateway.networking.k8s.io', version: 'v1alpha2', plural: 'tcproutes', namespaced: true },
  { kind: 'UDPRoute', group: 'gateway.networking.k8s.io', version: 'v1alpha2', plural: 'udproutes', namespaced: true },
  { kind: 'ReferenceGrant', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'referencegrants', namespaced: true },
  { kind: 'BackendTLSPolicy', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'backendtlspolicies', namespaced: true },
  { kind: 'ListenerSet', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'listenersets', namespaced: true },
];

export type KubeObject = {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
};

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface StoredEvent {
  rv: number;
  type: EventType;
  plural: string;
  object: KubeObject;
}

interface Watcher {
  plural: string;
  namespace?: string;
  res: http.ServerResponse;
}

export interface KubeApiServer {
  url: string;
  /** A kubeconfig file pointing at this server (no credentials, TLS not verified), removed by close(). */
  kubeconfigPath: string;
  /** Create or replace an object (kind + metadata.name [+ namespace]); returns it as stored. */
  apply(obj: KubeObject): KubeObject;
  remove(kind: string, name: string, namespace?: string): boolean;
  get(kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Forget the event history up to now: watches resuming from an older version get 410 Gone. */
  compact(): void;
  /** Ends every open watch stream (as an apiserver restart or a load balancer timeout does). */
  dropWatches(): void;
  /** Requests served so far, e.g. `GET /api/v1/services` or `WATCH /api/v1/services`. */
  requests: string[];
  /** Open watch streams right now. */
  watchCount(): number;
  close(): Promise<void>;
}

const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);
const objectKey = (plural: string, namespace: string | undefined, name: string) => `${plural}/${namespace ?? ''}/${name}`;

export interface KubeApiServerOptions {
  /** PEM files: serve HTTPS with this certificate. */
  tls?: { cert: string; key: string };
  /** A bearer token every request must carry. */
  token?: string;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  let revision = 1;
  /** Events at or below this revision are gone. */
  let compactedAt = 0;
  let uid = 0;
  const objects = new Map<string, KubeObject>();
  const history: StoredEvent[] = [];
  const watchers = new Set<Watcher>();
  const requests: string[] = [];

  const typeOfKind = (kind: string) => {
    const t = TYPES.find((x) => x.kind === kind);
    if (!t) throw new Error(`kube-api-server: unknown kind ${kind}`);
    return t;
  };

  const record = (type: EventType, t: ResourceType, object: KubeObject) => {
    const event: StoredEvent = { rv: revision, type, plural: t.plural, object };
    history.push(event);
    const line = JSON.stringify({ type, object }) + '\n';
    for (const w of watchers) {
      if (w.plural === t.plural && (!w.namespace || w.namespace === object.metadata.namespace)) w.res.write(line);
    }
  };

  const store = (t: ResourceType, input: KubeObject, opts: { statusOnly?: boolean } = {}): KubeObject => {
    const namespace = t.namespaced ? (input.metadata.namespace ?? 'default') : undefined;
    const key = objectKey(t.plural, namespace, input.metadata.name);
    const existing = objects.get(key);
    const base = opts.statusOnly ? existing : input;
    if (!base) throw Object.assign(new Error(`${t.kind} ${input.metadata.name} not found`), { status: 404 });
    revision++;
    const stored: KubeObject = structuredClone({
      ...base,
      ...(opts.statusOnly ? { status: input.status } : existing ? { status: existing.status ?? base.status } : {}),
      apiVersion: apiVersionOf(t),
      kind: t.kind,
      metadata: {
        ...base.metadata,
        ...(namespace ? { namespace } : {}),
        uid: existing?.metadata.uid ?? `uid-${++uid}`,
        creationTimestamp: existing?.metadata.creationTimestamp ?? base.metadata.creationTimestamp ?? new Date(Date.UTC(2026, 0, 1, 0, 0, uid)).toISOString(),
        resourceVersion: String(revision),
      },
    });
    objects.set(key, stored);
    record(existing ? 'MODIFIED' : 'ADDED', t, stored);
    return stored;
  };

  const removeObject = (t: ResourceType, name: string, namespace?: string): KubeObject | undefined => {
    const key = objectKey(t.plural, t.namespaced ? (namespace ?? 'default') : undefined, name);
    const existing = objects.get(key);
    if (!existing) return undefined;
    objects.delete(key);
    revision++;
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(revision) } };
    record('DELETED', t, gone);
    return gone;
  };

  const list = (t: ResourceType, namespace?: string) =>
    [...objects.values()].filter((o) => o.kind === t.kind && (!namespace || o.metadata.namespace === namespace));

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const statusBody = (code: number, reason: string, message: string) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
  });

  /** /api/v1[/namespaces/ns]/plural[/name[/status]] or /apis/group/version[/namespaces/ns]/plural[/name[/status]] */
  const route = (pathname: string) => {
    const parts = pathname.split('/').filter(Boolean);
    let rest: string[];
    let group: string;
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1];
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const t = TYPES.find((x) => x.group === group && x.plural === rest[0]);
    if (!t || rest.length > 3 || (rest.length === 3 && rest[2] !== 'status')) return undefined;
    return { t, namespace, name: rest[1] as string | undefined, status: rest[2] === 'status' };
  };

  const startWatch = (req: http.IncomingMessage, res: http.ServerResponse, t: ResourceType, namespace: string | undefined, from: string | null) => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const fromRv = from ? Number(from) : NaN;
    if (Number.isFinite(fromRv) && fromRv > 0 && fromRv < compactedAt) {
      res.end(JSON.stringify({ type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${fromRv} (${compactedAt})`) }) + '\n');
      return;
    }
    const matches = (plural: string, obj: KubeObject) => plural === t.plural && (!namespace || obj.metadata.namespace === namespace);
    if (Number.isFinite(fromRv) && fromRv > 0) {
      for (const e of history) if (e.rv > fromRv && matches(e.plural, e.object)) res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
    } else {
      // No version: the current state as ADDED events, then changes (the apiserver's "Any" semantics).
      for (const o of list(t, namespace)) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    }
    const w: Watcher = { plural: t.plural, namespace, res };
    watchers.add(w);
    const done = () => watchers.delete(w);
    req.on('close', done);
    res.on('close', done);
    res.on('error', done);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      requests.push(`UNAUTHORIZED ${url.pathname}`);
      return send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    }
    const r = route(url.pathname);
    const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    requests.push(`${watching ? 'WATCH' : req.method} ${url.pathname}`);
    if (!r) return send(res, 404, statusBody(404, 'NotFound', `no route for ${url.pathname}`));
    const { t, namespace, name, status } = r;
    const body = async (): Promise<KubeObject> => {
      let text = '';
      for await (const chunk of req) text += chunk;
      return JSON.parse(text) as KubeObject;
    };
    if (req.method === 'GET' && !name) {
      if (watching) return startWatch(req, res, t, namespace, url.searchParams.get('resourceVersion'));
      return send(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(revision) }, items: list(t, namespace) });
    }
    if (req.method === 'GET') {
      const found = objects.get(objectKey(t.plural, t.namespaced ? namespace : undefined, name!));
      return found ? send(res, 200, found) : send(res, 404, statusBody(404, 'NotFound', `${t.plural} "${name}" not found`));
    }
    if (req.method === 'POST' && !name) {
      const obj = await body();
      if (objects.has(objectKey(t.plural, t.namespaced ? (namespace ?? obj.metadata.namespace ?? 'default') : undefined, obj.metadata.name))) {
        return send(res, 409, statusBody(409, 'AlreadyExists', `${t.plural} "${obj.metadata.name}" already exists`));
      }
      return send(res, 201, store(t, { ...obj, metadata: { ...obj.metadata, namespace } }));
    }
    if (req.method === 'PUT' && name) {
      const obj = await body();
      const current = objects.get(objectKey(t.plural, t.namespaced ? namespace : undefined, name));
      const expected = obj.metadata?.resourceVersion;
      if (current && expected && expected !== current.metadata.resourceVersion) {
        return send(res, 409, statusBody(409, 'Conflict', `the object has been modified; please apply your changes to the latest version`));
      }
      try {
        return send(res, current ? 200 : 201, store(t, { ...obj, metadata: { ...obj.metadata, name, namespace } }, { statusOnly: status }));
      } catch (err) {
        return send(res, 404, statusBody(404, 'NotFound', (err as Error).message));
      }
    }
    if (req.method === 'DELETE' && name) {
      const gone = removeObject(t, name, namespace);
      return gone ? send(res, 200, gone) : send(res, 404, statusBody(404, 'NotFound', `${t.plural} "${name}" not found`));
    }
    return send(res, 405, statusBody(405, 'MethodNotAllowed', `${req.method} not supported here`));
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 400, statusBody(400, 'BadRequest', (err as Error).message));
      else res.destroy();
    });
  };
  const server = options.tls
    ? https.createServer({ cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }, listener)
    : http.createServer(listener);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-kube-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
  fs.writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      // client-node refuses plain http unless TLS verification is switched off explicitly.
      'clusters: [{name: test, cluster: {server: "' + url + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: test, user: {}}]',
      'contexts: [{name: test, context: {cluster: test, user: test, namespace: default}}]',
      'current-context: test',
      '',
    ].join('\n'),
  );

  return {
    url,
    kubeconfigPath,
    requests,
    apply: (obj) => store(typeOfKind(obj.kind), obj),
    remove: (kind, name, namespace) => removeObject(typeOfKind(kind), name, namespace) !== undefined,
    get: (kind, name, namespace) => {
      const t = typeOfKind(kind);
      return objects.get(objectKey(t.plural, t.namespaced ? (namespace ?? 'default') : undefined, name));
    },
    compact() {
      compactedAt = revision + 1;
      history.length = 0;
    },
    dropWatches() {
      for (const w of watchers) w.res.destroy();
      watchers.clear();
    },
    watchCount: () => watchers.size,
    async close() {
      for (const w of watchers) w.res.destroy();
      watchers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
