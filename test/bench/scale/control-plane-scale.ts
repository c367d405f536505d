import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { canonicalJson, collectionPrefix, normalizePrefix } from '@sluice/model';
import type { Etcd3 } from 'etcd3';
import { freePort } from '../../helpers/ports.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import type { Log, SectionReport } from '../lib/bench-report.js';
import { formatNumber, markdownTable } from '../lib/markdown-table.js';
import type { BenchProcess, ProcessRegistry } from '../lib/process-registry.js';
import { REPO_ROOT } from '../lib/sluice-processes.js';
import type { EtcdCluster } from './etcd-cluster.js';
import { rssBytes } from './process-memory.js';
import type { ScaleOptions } from './scale-options.js';

const PREFIX = '/cp';
const NAMESPACE = 'bench';
/** The control plane's Lease (lease-election.ts defaults): a follower may take over this long after the last renewal. */
const LEASE_SECONDS = 15;
const TAKEOVER_SLACK_MS = 2000;
const SYNC_TIMEOUT_MS = 300_000;
const MiB = 1024 * 1024;

export interface ControlPlaneContext {
  registry: ProcessRegistry;
  cluster: EtcdCluster;
  etcd: Etcd3;
  workDir: string;
  options: ScaleOptions;
}

/** A running `gateway control-plane --kubeconfig` and its status port. */
interface ControlPlane {
  proc: BenchProcess;
  statusPort: number;
  adminPort: number;
}

const service = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `svc-${i}`, namespace: NAMESPACE },
  spec: { ports: [{ name: 'http', port: 80 }] },
});
const endpointSlice = (i: number): KubeObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-1`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }) as KubeObject;
const ingress = (i: number, serviceIndex = i): KubeObject =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: `ing-${i}`, namespace: NAMESPACE },
    spec: {
      ingressClassName: 'sluice',
      rules: [
        {
          host: `h${i}.bench.test`,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${serviceIndex}`, port: { name: 'http' } } } }] },
        },
      ],
    },
  }) as KubeObject;
const httpRoute = (j: number, services: number): KubeObject =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `hr-${j}`, namespace: NAMESPACE },
    spec: {
      parentRefs: [{ name: 'gw' }],
      hostnames: [`g${j}.bench.test`],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: `svc-${j % services}`, port: 80 }] }],
    },
  }) as KubeObject;

/** The test API server holding `ingresses` Ingresses (each with its Service and EndpointSlice) and `httpRoutes` HTTPRoutes on one Gateway. */
export async function startBenchApiServer(options: ScaleOptions): Promise<KubeApiServer> {
  const api = await startKubeApiServer();
  api.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'sluice' },
    spec: { controller: 'sluice.dev/gateway-controller' },
  } as KubeObject);
  api.apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'sluice' },
    spec: { controllerName: 'sluice.dev/gateway-controller' },
  } as KubeObject);
  api.apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: NAMESPACE },
    spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  } as KubeObject);
  for (let i = 0; i < options.ingresses; i++) {
    api.apply(service(i));
    api.apply(endpointSlice(i));
    api.apply(ingress(i));
  }
  for (let j = 0; j < options.httpRoutes; j++) api.apply(httpRoute(j, options.ingresses));
  return api;
}

async function startControlPlane(
  ctx: ControlPlaneContext,
  api: KubeApiServer,
  name: string,
  prefix: string,
  leaseNamespace = 'default',
): Promise<ControlPlane> {
  const statusPort = await freePort();
  const adminPort = await freePort();
  const args = [
    path.join(REPO_ROOT, 'bin/gateway'),
    'control-plane',
    '--etcd',
    ctx.cluster.endpoints.join(','),
    '--prefix',
    prefix,
    '--kubeconfig',
    api.kubeconfigPath,
  ];
  args.push(
    '--status-port',
    String(statusPort),
    '--admin-port',
    String(adminPort),
    '--host',
    '127.0.0.1',
    '--admin-key',
    'scale-bench-key',
    '--leader-election-namespace',
    leaseNamespace,
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEWAY_')));
  return { proc: ctx.registry.spawn(name, process.execPath, args, { cwd: REPO_ROOT, env }), statusPort, adminPort };
}

/** A metric of a control plane's status port (summed over its series), or NaN when it does not answer. */
async function metric(cp: ControlPlane, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${cp.statusPort}/metrics`)).text();
    const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
    return values.length ? values.reduce((a, b) => a + b, 0) : NaN;
  } catch {
    return NaN;
  }
}

const syncs = (cp: ControlPlane) => metric(cp, 'sluice_control_plane_sync_duration_seconds_count');

async function waitUntil(what: string, cp: ControlPlane, check: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (!cp.proc.isRunning()) throw new Error(`${cp.proc.name} exited before ${what}: ${cp.proc.stderrTail().slice(-1500)}`);
    if (Date.now() > deadline) throw new Error(`${cp.proc.name}: no ${what} within ${timeoutMs / 1000} s`);
    await delay(pollMs);
  }
}

/** The etcd revision now. */
async function revisionOf(etcd: Etcd3): Promise<number> {
  return Number((await etcd.get('/').exec()).header.revision);
}

/**
 * Puts and deletes of documents under `prefix` after `afterRevision` until now, read back from
 * etcd's history through a watch; a marker key written last (under `_bench/`, which no reader
 * takes for a document) ends the read.
 */
async function writesSince(etcd: Etcd3, prefix: string, afterRevision: number): Promise<{ puts: number; deletes: number }> {
  const root = `${normalizePrefix(prefix)}/`;
  const marker = `${root}_bench/marker`;
  const counts = { puts: 0, deletes: 0 };
  const watcher = await etcd
    .watch()
    .prefix(root)
    .startRevision(String(afterRevision + 1))
    .create();
  const read = new Promise<void>((resolve) => {
    watcher.on('put', (kv) => {
      const key = kv.key.toString();
      if (key === marker) resolve();
      else if (!key.startsWith(`${root}_`)) counts.puts++;
    });
    watcher.on('delete', (kv) => {
      if (!kv.key.toString().startsWith(`${root}_`)) counts.deletes++;
    });
  });
  await etcd.put(marker).value(String(Date.now()));
  await read;
  await watcher.cancel();
  return counts;
}

interface ChangeCost {
  what: string;
  puts: number;
  deletes: number;
  ms: number;
}

/**
 * Section c: the control plane at scale. `gateway control-plane --kubeconfig` against the test API
 * server with `ingresses` Ingresses and `httpRoutes` HTTPRoutes: the first full sync into etcd,
 * its memory, and what single changes cost in etcd writes. Leaves its API server and control
 * plane running for section d.
 */
export async function measureControlPlaneScale(
  ctx: ControlPlaneContext,
  api: KubeApiServer,
  log: Log,
): Promise<{ report: SectionReport; leader: ControlPlane }> {
  const { options } = ctx;
  const expected = options.ingresses + options.httpRoutes;
  log(
    `control plane: ${formatNumber(options.ingresses)} Ingresses and ${formatNumber(options.httpRoutes)} HTTPRoutes in the test API server; starting the control plane`,
  );
  const began = performance.now();
  const cp = await startControlPlane(ctx, api, 'control plane 1', PREFIX);
  await waitUntil('first sync', cp, async () => (await syncs(cp)) >= 1, SYNC_TIMEOUT_MS, 50);
  const syncMs = performance.now() - began;
  const routes = await ctx.etcd.getAll().prefix(collectionPrefix(PREFIX, 'routes')).count();
  if (routes !== expected) throw new Error(`first sync wrote ${routes} routes, expected ${expected}`);
  log(`control plane: first sync of ${formatNumber(routes)} routes in ${(syncMs / 1000).toFixed(1)} s`);
  await delay(3000);
  const rss = rssBytes(cp.proc.pid);

  const changes: ChangeCost[] = [];
  const change = async (what: string, apply: () => void) => {
    const before = await syncs(cp);
    const revision = await revisionOf(ctx.etcd);
    const at = performance.now();
    apply();
    await waitUntil(`the sync of ${what}`, cp, async () => (await syncs(cp)) > before, 30_000, 10);
    const ms = performance.now() - at;
    changes.push({ what, ms, ...(await writesSince(ctx.etcd, PREFIX, revision)) });
  };
  const n = options.ingresses;
  await change('one HTTPRoute added', () => api.apply(httpRoute(options.httpRoutes, n)));
  await change('that HTTPRoute removed', () => api.remove('HTTPRoute', `hr-${options.httpRoutes}`, NAMESPACE));
  await change('one Ingress added (existing Service)', () => api.apply(ingress(n, 0)));
  await change('one EndpointSlice changed', () =>
    api.apply({ ...endpointSlice(1), endpoints: [{ addresses: ['10.255.0.1'], conditions: { ready: true } }] } as KubeObject),
  );
  await change('that Ingress removed', () => api.remove('Ingress', `ing-${n}`, NAMESPACE));
  const markdown = [
    `### C. Control plane: ${formatNumber(options.ingresses)} Ingresses and ${formatNumber(options.httpRoutes)} HTTPRoutes`,
    '',
    `The in-repo test API server (it speaks the list/watch protocol to the real client; no kube-apiserver runs here) holds ${formatNumber(options.ingresses)} Ingresses, each with its Service and EndpointSlice, and ${formatNumber(options.httpRoutes)} HTTPRoutes on one Gateway. \`gateway control-plane --kubeconfig\` is started; the first sync is from its start until its first sync is in etcd (${formatNumber(routes)} routes). Then single changes, each timed from the API server write until the sync after it completed, with the etcd writes it made (puts and deletes under the prefix, read back from etcd's history).`,
    '',
    markdownTable(
      ['measure', 'result'],
      [
        ['first full sync (start → every document in etcd)', `${formatNumber(syncMs / 1000, 1)} s`],
        ['control-plane RSS after the sync', `${formatNumber(rss / MiB)} MiB`],
        ...changes.map((c) => [`${c.what}: etcd writes, time to etcd`, `${c.puts} put(s), ${c.deletes} delete(s); ${formatNumber(c.ms)} ms`]),
      ],
      false,
    ),
  ].join('\n');
  const httpRouteAdded = changes[0]!;
  return {
    leader: cp,
    report: {
      markdown,
      targets: [
        {
          target: `control plane: first sync of ${formatNumber(options.ingresses)} Ingresses + ${formatNumber(options.httpRoutes)} HTTPRoutes`,
          result: `${formatNumber(syncMs / 1000, 1)} s, ${formatNumber(rss / MiB)} MiB`,
          status: 'INFO',
        },
        {
          target: 'control plane: one HTTPRoute added writes only its own documents',
          result: `${httpRouteAdded.puts} put(s), ${httpRouteAdded.deletes} delete(s)`,
          status: httpRouteAdded.puts <= 2 && httpRouteAdded.deletes === 0 ? 'PASS' : 'FAIL',
        },
      ],
    },
  };
}

/** Every document under a prefix, keyed `<collection>/<id>`, as canonical JSON without the writer's timestamps. */
async function documentsOf(etcd: Etcd3, prefix: string): Promise<Map<string, string>> {
  const root = `${normalizePrefix(prefix)}/`;
  const all = await etcd.getAll().prefix(root).strings();
  const docs = new Map<string, string>();
  for (const [key, value] of Object.entries(all)) {
    // `_admin/` (the admin API's keys and audit) and `_bench/` are not documents.
    if (key.startsWith(`${root}_`)) continue;
    const { createdAt: _c, updatedAt: _u, ...doc } = JSON.parse(value) as Record<string, unknown>;
    docs.set(key.slice(root.length), canonicalJson(doc));
  }
  return docs;
}

/**
 * Section d: two control planes on one Lease; the leader is killed (SIGKILL) as soon as the
 * first write of a sync of `failoverChanges` changes reaches etcd. The follower must take over
 * within the lease duration + 2 s, and etcd must end identical to a clean sync of the same API
 * server state (a third control plane on its own prefix and Lease): no lost or stray documents.
 */
export async function measureLeaderFailover(ctx: ControlPlaneContext, api: KubeApiServer, leader: ControlPlane, log: Log): Promise<SectionReport> {
  const { options } = ctx;
  const follower = await startControlPlane(ctx, api, 'control plane 2', PREFIX);
  // The status port opens once the first snapshot was taken in (a follower translates it too, and writes nothing).
  await waitUntil('its first snapshot', follower, async () => !Number.isNaN(await metric(follower, 'sluice_control_plane_leader')), SYNC_TIMEOUT_MS, 200);
  const roles = [await metric(leader, 'sluice_control_plane_leader'), await metric(follower, 'sluice_control_plane_leader')];
  if (roles[0] !== 1 || roles[1] !== 0) throw new Error(`control plane 1 should lead and 2 follow; their sluice_control_plane_leader: ${roles.join(', ')}`);

  const changes = Math.min(options.failoverChanges, options.ingresses);
  log(`failover: ${formatNumber(changes)} Ingresses move to another Service; the leader is killed at the sync's first write`);
  const revision = await revisionOf(ctx.etcd);
  const watcher = await ctx.etcd
    .watch()
    .prefix(collectionPrefix(PREFIX, 'routes'))
    .startRevision(String(revision + 1))
    .create();
  let routeWrites = 0;
  let killedAt = 0;
  const killed = new Promise<void>((resolve) => {
    watcher.on('put', () => {
      routeWrites++;
      if (killedAt) return;
      killedAt = performance.now();
      process.kill(leader.proc.pid, 'SIGKILL');
      resolve();
    });
  });
  for (let i = 0; i < changes; i++) api.apply(ingress(i, (i + 1) % options.ingresses));
  await Promise.race([killed, delay(60_000).then(() => Promise.reject(new Error('the leader wrote nothing within 60 s')))]);
  await leader.proc.exited;
  const writtenByLeader = routeWrites;
  const takeoverLimit = LEASE_SECONDS * 1000 + TAKEOVER_SLACK_MS;
  await waitUntil('leadership', follower, async () => (await metric(follower, 'sluice_control_plane_leader')) === 1, takeoverLimit + 30_000, 50);
  const takeoverMs = performance.now() - killedAt;
  log(`failover: the follower leads ${(takeoverMs / 1000).toFixed(1)} s after the kill (${writtenByLeader} route writes had reached etcd)`);
  // It writes the newest snapshot at once on taking over (a follower counts no syncs before): wait for that, then for etcd to stay quiet.
  await waitUntil('its sync as leader', follower, async () => (await syncs(follower)) >= 1, SYNC_TIMEOUT_MS, 100);
  let quietSince = performance.now();
  let lastCount = routeWrites;
  while (performance.now() - quietSince < 3000) {
    await delay(250);
    if (routeWrites !== lastCount) {
      lastCount = routeWrites;
      quietSince = performance.now();
    }
  }
  await watcher.cancel();

  log('failover: a third control plane syncs the same API server state onto its own prefix, for comparison');
  const clean = await startControlPlane(ctx, api, 'control plane (clean sync)', '/cp-clean', 'clean');
  await waitUntil('first sync', clean, async () => (await syncs(clean)) >= 1, SYNC_TIMEOUT_MS, 200);
  const [got, want] = await Promise.all([documentsOf(ctx.etcd, PREFIX), documentsOf(ctx.etcd, '/cp-clean')]);
  const lost = [...want.keys()].filter((k) => !got.has(k));
  const stray = [...got.keys()].filter((k) => !want.has(k));
  const differing = [...want.keys()].filter((k) => got.has(k) && got.get(k) !== want.get(k));
  await Promise.all([ctx.registry.stop(follower.proc), ctx.registry.stop(clean.proc)]);
  const ok = takeoverMs <= takeoverLimit && lost.length + stray.length + differing.length === 0;
  const sample = (list: string[]) => (list.length ? ` (e.g. ${list.slice(0, 3).join(', ')})` : '');
  const markdown = [
    '### D. Leader failover during a sync',
    '',
    `Two \`gateway control-plane --kubeconfig\` replicas on the same Lease (${LEASE_SECONDS} s) and prefix. ${formatNumber(changes)} Ingresses are moved to another Service at once; the leader is killed with SIGKILL when the first route write of that sync reaches etcd. Takeover: from the kill until the follower's \`sluice_control_plane_leader\` is 1. Then etcd is compared with a clean sync of the same API server state by a third control plane (own prefix, own Lease), documents as canonical JSON without the writer's timestamps.`,
    '',
    markdownTable(
      ['measure', 'result'],
      [
        ['route writes in etcd when the killed leader had exited', `${formatNumber(writtenByLeader)} of ${formatNumber(changes)}`],
        ['takeover (kill → follower leads)', `${formatNumber(takeoverMs / 1000, 1)} s (limit ${formatNumber(takeoverLimit / 1000)} s)`],
        ['documents compared', formatNumber(want.size)],
        ['lost (in the clean sync, not in etcd)', `${lost.length}${sample(lost)}`],
        ['stray (in etcd, not in the clean sync)', `${stray.length}${sample(stray)}`],
        ['different', `${differing.length}${sample(differing)}`],
      ],
      false,
    ),
  ].join('\n');
  return {
    markdown,
    targets: [
      {
        target: `failover: takeover ≤ lease (${LEASE_SECONDS} s) + 2 s, etcd identical to a clean sync`,
        result: `${formatNumber(takeoverMs / 1000, 1)} s; ${lost.length} lost, ${stray.length} stray, ${differing.length} different of ${formatNumber(want.size)}`,
        status: ok ? 'PASS' : 'FAIL',
      },
    ],
  };
}
