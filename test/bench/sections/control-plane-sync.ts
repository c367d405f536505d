import http from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { collectionPrefix } from '@sluice/model';
import type { Etcd3 } from 'etcd3';
import { startKubeApiServer, type KubeApiServer } from '../../helpers/kube-api-server.js';
import { startHttpEcho, type EchoServer } from '../../helpers/upstreams.js';
import type { Log, SectionReport } from '../lib/bench-report.js';
import { formatNumber, markdownTable } from '../lib/markdown-table.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane } from '../lib/sluice-processes.js';
import { percentile } from '../lib/stats.js';

const INGRESSES = Number(process.env.BENCH_CP_INGRESSES ?? 5000);
const CHANGES = 50;
const SYNC_TARGET_MS = 20_000;
const CHANGE_TARGET_P99_MS = 500;
const SYNC_TIMEOUT_MS = 120_000;
const CHANGE_TIMEOUT_MS = 5_000;

export interface ControlPlaneSyncContext {
  registry: ProcessRegistry;
  etcd: Etcd3;
  etcdEndpoint: string;
  prefix: string;
  workDir: string;
}

const service = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `svc-${i}`, namespace: 'bench' },
  spec: { ports: [{ name: 'http', port: 80 }] },
});
const slice = (i: number, port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `svc-${i}-1`, namespace: 'bench', labels: { 'kubernetes.io/service-name': `svc-${i}` } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});
const ingress = (i: number) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: `ing-${i}`, namespace: 'bench' },
  spec: {
    ingressClassName: 'sluice',
    rules: [
      {
        ...(i > 0 ? { host: `h${i}.bench.test` } : {}),
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { name: 'http' } } } }] },
      },
    ],
  },
});

/** The x-upstream header of GET / for host h<i>, on a kept-alive connection. */
function upstreamOf(agent: http.Agent, port: number, i: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers: { host: `h${i}.bench.test` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['x-upstream'] as string | undefined));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

/**
 * Section g, the Ingress control plane at scale: 5,000 Ingresses + Services + EndpointSlices in
 * the test API server → `gateway control-plane --kubeconfig` → time until every route is in
 * etcd; then 50 EndpointSlice changes, each timed until the data plane serves the new endpoint.
 */
export async function measureControlPlaneSync(ctx: ControlPlaneSyncContext, log: Log): Promise<SectionReport> {
  let api: KubeApiServer | undefined;
  const echoes: EchoServer[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const prefix = `${ctx.prefix}-cp`;
  try {
    api = await startKubeApiServer();
    echoes.push(await startHttpEcho('blue'), await startHttpEcho('green'));
    const [blue, green] = echoes as [EchoServer, EchoServer];
    log(`control-plane sync: creating ${INGRESSES} Ingresses, Services and EndpointSlices in the test API server`);
    api.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'sluice' },
      spec: { controller: 'sluice.dev/gateway-controller' },
    });
    for (let i = 0; i < INGRESSES; i++) {
      api.apply(service(i));
      api.apply(slice(i, blue.port));
      api.apply(ingress(i));
    }

    const started = performance.now();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEWAY_')));
    const args = [
      path.join(REPO_ROOT, 'bin/gateway'),
      'control-plane',
      '--etcd',
      ctx.etcdEndpoint,
      '--prefix',
      prefix,
      '--kubeconfig',
      api.kubeconfigPath,
      '--status-port',
      '0',
    ];
    args.push('--admin-port', '0', '--host', '127.0.0.1', '--admin-key', 'benchkey');
    const cp = ctx.registry.spawn('sluice control-plane (kubeconfig)', process.execPath, args, { cwd: REPO_ROOT, env });
    let routes = 0;
    for (;;) {
      routes = await ctx.etcd.getAll().prefix(collectionPrefix(prefix, 'routes')).count();
      if (routes >= INGRESSES) break;
      if (performance.now() - started > SYNC_TIMEOUT_MS)
        throw new Error(`only ${routes} of ${INGRESSES} routes in etcd after ${SYNC_TIMEOUT_MS / 1000} s; stderr:\n${cp.stderrTail().slice(-1500)}`);
      await delay(50);
    }
    const syncMs = performance.now() - started;
    log(`control-plane sync: ${routes} routes in etcd after ${(syncMs / 1000).toFixed(1)} s`);

    // Ingress 0 has no host, so the readiness probe (GET / with any host) is answered once routes are loaded.
    const dp = await startSluiceDataPlane(ctx.registry, {
      etcd: ctx.etcdEndpoint,
      prefix,
      workers: 1,
      readyPath: '/',
      dataDir: path.join(ctx.workDir, 'sluice-cp'),
    });

    const latencies: number[] = [];
    let lost = 0;
    for (let n = 0; n < CHANGES; n++) {
      const i = 1 + Math.floor(((n + 0.5) * (INGRESSES - 1)) / CHANGES);
      // 50 different Services, each moved once from blue to green.
      const target = { name: 'green', port: green.port };
      const before = await upstreamOf(agent, dp.httpPort, i);
      if (before === target.name) throw new Error(`h${i} already served by ${target.name}`);
      const changedAt = performance.now();
      api.apply(slice(i, target.port));
      for (;;) {
        if ((await upstreamOf(agent, dp.httpPort, i)) === target.name) {
          latencies.push(performance.now() - changedAt);
          break;
        }
        if (performance.now() - changedAt > CHANGE_TIMEOUT_MS) {
          lost++;
          latencies.push(CHANGE_TIMEOUT_MS);
          break;
        }
        await delay(2);
      }
    }
    await ctx.registry.stop(dp.proc);
    await ctx.registry.stop(cp);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    log(`control-plane sync: EndpointSlice change → data plane p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, ${lost} lost`);
    const markdown = [
      `### g. Ingress control plane: ${formatNumber(INGRESSES)} Ingresses through the test API server`,
      '',
      `${formatNumber(INGRESSES)} Ingresses, Services and EndpointSlices in the in-repo test API server (it stands in for a kube-apiserver), then \`gateway control-plane --kubeconfig\` started: time until all ${formatNumber(INGRESSES)} routes are in etcd (list of every kind, one translation, one diff in 100-operation transactions). Then ${CHANGES} EndpointSlice changes, each moving one Service's endpoint to another echo port, timed until the data plane (1 worker) serves from it (informer watch → 100 ms coalescing → full translation → etcd diff → data-plane watch).`,
      '',
      markdownTable(
        ['measure', 'result'],
        [
          ['first complete sync (control-plane start → all routes in etcd)', `${(syncMs / 1000).toFixed(1)} s`],
          [`EndpointSlice change → served (${CHANGES} changes) p50`, `${p50.toFixed(0)} ms`],
          ['EndpointSlice change → served p99', `${p99.toFixed(0)} ms`],
          ['changes not served within 5 s', String(lost)],
        ],
        false,
      ),
    ].join('\n');
    return {
      markdown,
      targets: [
        {
          target: `control plane: first sync of ${formatNumber(INGRESSES)} Ingresses < 20 s`,
          result: `${(syncMs / 1000).toFixed(1)} s`,
          status: syncMs < SYNC_TARGET_MS ? 'PASS' : 'FAIL',
        },
        {
          target: 'control plane: EndpointSlice change → data plane p99 < 500 ms',
          result: `${p99.toFixed(0)} ms (${lost} lost)`,
          status: p99 < CHANGE_TARGET_P99_MS && lost === 0 ? 'PASS' : 'FAIL',
        },
      ],
    };
  } finally {
    agent.destroy();
    await Promise.all(echoes.map((e) => e.close()));
    await api?.close();
  }
}
