import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { documentKey } from '@sluice/model';
import type { Etcd3 } from 'etcd3';
import { freePort } from '../../helpers/ports.js';
import { startHttpEcho } from '../../helpers/upstreams.js';
import type { Log, SectionReport } from '../lib/bench-report.js';
import { formatNumber, markdownTable } from '../lib/markdown-table.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane, type SluiceDataPlane } from '../lib/sluice-processes.js';
import { anonymousBytes, childPids, rssBytes } from './process-memory.js';
import { makeCertificates, putAll, scaleDocuments, type ScaleConfig } from './scale-documents.js';
import type { ScaleOptions } from './scale-options.js';

const READY_TARGET_MS = 3000;
const CACHE_READY_TARGET_MS = 2000;
const IDLE_RSS_TARGET_MIB = 80;
/** Workers settle (timers, first GCs) before their memory is read. */
const SETTLE_MS = 3000;
const MiB = 1024 * 1024;
const CHANGES_AT_SCALE = 3;

export interface ColdStartContext {
  registry: ProcessRegistry;
  etcd: Etcd3;
  /** Comma-separated member URLs. */
  etcdEndpoints: string;
  workDir: string;
  options: ScaleOptions;
}

interface Start {
  config: ScaleConfig;
  readyMs: number;
  /** Longest "config loaded from etcd" of the workers (range pages read and validated), ms. */
  loadMs: number;
  /** Mean time of the workers' table compiles so far, ms. */
  compileMs: number;
  workerRss: number[];
  workerAnon: number[];
  primaryRss: number;
}

/**
 * Cold start and memory: a data plane (2 workers) started against etcd holding an empty config,
 * 10k routes and 100k routes (with 2k/20k upstreams, 100/1,000 certificates): time until every
 * worker serves, load and compile time, RSS per worker; then the 100k config again from the disk
 * cache with etcd unreachable; and `gateway up`'s own process with an empty config.
 */
export async function measureColdStart(ctx: ColdStartContext, log: Log): Promise<SectionReport> {
  const echo = await startHttpEcho('ready');
  try {
    const { options } = ctx;
    log(`cold start: making ${options.certificates} certificates with openssl`);
    const certificates = await makeCertificates(path.join(ctx.workDir, 'certs'), options.certificates);
    const sizes: ScaleConfig[] = [
      { routes: 0, upstreams: 0, certificates: 0 },
      { routes: options.routes / 10, upstreams: options.upstreams / 10, certificates: options.certificates / 10 },
      { routes: options.routes, upstreams: options.upstreams, certificates: options.certificates },
    ];
    const starts: Start[] = [];
    let cacheReadyMs = NaN;
    let changeMs: number[] = [];
    let writeMs = NaN;
    for (const config of sizes) {
      const prefix = `/scale-${config.routes}`;
      const docs = await scaleDocuments(config, echo.port, certificates);
      const began = performance.now();
      await putAll(ctx.etcd, prefix, docs);
      if (config.routes === options.routes) writeMs = performance.now() - began;
      log(`cold start: ${formatNumber(docs.length)} documents under ${prefix} in ${((performance.now() - began) / 1000).toFixed(1)} s; starting a data plane`);
      const dataDir = path.join(ctx.workDir, `dp${prefix}`);
      const { start, dp } = await timedStart(ctx, prefix, dataDir, ctx.etcdEndpoints, config);
      starts.push(start);
      if (config.routes === options.routes) {
        changeMs = await timeChanges(ctx.etcd, prefix, dp);
        log(
          `cold start: one route changed at ${formatNumber(config.routes)} routes, applied by both workers in ${changeMs.map((m) => m.toFixed(0)).join(' / ')} ms`,
        );
      }
      log(
        `cold start: ${formatNumber(config.routes)} routes ready in ${start.readyMs.toFixed(0)} ms, worker RSS ${start.workerRss.map((r) => (r / MiB).toFixed(0)).join('/')} MiB`,
      );
      await ctx.registry.stop(dp.proc, 10_000);
      if (config.routes === options.routes) {
        // etcd down: a port nothing listens on refuses the connection, so the workers read the cache at once.
        const dead = `http://127.0.0.1:${await freePort()}`;
        const cached = await timedStart(ctx, prefix, dataDir, dead, config);
        cacheReadyMs = cached.start.readyMs;
        log(`cold start: from the disk cache (etcd unreachable) ready in ${cacheReadyMs.toFixed(0)} ms`);
        await ctx.registry.stop(cached.dp.proc, 10_000);
      }
    }
    const up = await measureGatewayUp(ctx, log);
    return report(starts, cacheReadyMs, writeMs, up, changeMs, options);
  } finally {
    await echo.close();
  }
}

async function timedStart(
  ctx: ColdStartContext,
  prefix: string,
  dataDir: string,
  etcd: string,
  config: ScaleConfig,
): Promise<{ start: Start; dp: SluiceDataPlane }> {
  const began = performance.now();
  const dp = await startSluiceDataPlane(ctx.registry, {
    etcd,
    prefix,
    workers: 2,
    readyPath: '/ready',
    dataDir,
    allWorkers: true,
    readyTimeoutMs: 120_000,
    label: `sluice data-plane ${prefix}`,
  });
  const readyMs = performance.now() - began;
  await delay(SETTLE_MS);
  const workers = childPids(dp.proc.pid);
  const metrics = await (await fetch(`http://127.0.0.1:${dp.statusPort}/metrics`)).text();
  const sum = Number(/^sluice_config_compile_seconds_sum (\S+)$/m.exec(metrics)?.[1]);
  const count = Number(/^sluice_config_compile_seconds_count (\S+)$/m.exec(metrics)?.[1]);
  const loads = [...dp.proc.stdout().matchAll(/"ms":(\d+)[^\n]*"msg":"config loaded from etcd"/g)].map((m) => Number(m[1]));
  return {
    dp,
    start: {
      config,
      readyMs,
      loadMs: loads.length ? Math.max(...loads) : NaN,
      compileMs: (sum / count) * 1000,
      workerRss: workers.map(rssBytes),
      workerAnon: workers.map(anonymousBytes),
      primaryRss: rssBytes(dp.proc.pid),
    },
  };
}

/** `gateway up` (control plane, admin API and data-plane primary in one process, 1 worker) on an empty prefix. */
async function measureGatewayUp(ctx: ColdStartContext, log: Log): Promise<{ upRss: number; workerRss: number } | undefined> {
  const port = () => freePort();
  const statusPort = await port();
  const args = [path.join(REPO_ROOT, 'bin/gateway'), 'up', '--etcd', ctx.etcdEndpoints.split(',')[0]!, '--prefix', '/scale-up', '--host', '127.0.0.1'];
  args.push(
    '--http-port',
    String(await port()),
    '--https-port',
    String(await port()),
    '--admin-port',
    String(await port()),
    '--status-port',
    String(statusPort),
  );
  args.push('--admin-key', 'scale-bench-key', '--workers', '1', '--data-dir', path.join(ctx.workDir, 'up'), '--no-example');
  const proc = ctx.registry.spawn('gateway up', process.execPath, args, {
    cwd: REPO_ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEWAY_'))),
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${statusPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (!proc.isRunning() || Date.now() > deadline) {
        log(`gateway up did not become ready: ${proc.stderrTail().slice(-500)}`);
        return undefined;
      }
      await delay(100);
    }
    await delay(SETTLE_MS);
    const [worker] = childPids(proc.pid).filter((pid) => !Number.isNaN(rssBytes(pid)));
    return { upRss: rssBytes(proc.pid), workerRss: worker === undefined ? NaN : rssBytes(worker) };
  } finally {
    await ctx.registry.stop(proc, 10_000);
  }
}

/**
 * A few route changes at the full config, each timed from the write until the data plane's
 * registration (its primary rewrites it when every worker swapped its table) says the revision
 * is applied, and checked through the proxy.
 */
async function timeChanges(etcd: Etcd3, prefix: string, dp: SluiceDataPlane): Promise<number[]> {
  let applied = 0;
  let notify = () => {};
  const watcher = await etcd
    .watch()
    .prefix(documentKey(prefix, 'dataplanes', ''))
    .create();
  watcher.on('put', (kv) => {
    const status = JSON.parse(kv.value.toString()) as { pid: number; revision: number };
    if (status.pid !== dp.proc.pid) return;
    applied = status.revision;
    notify();
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < CHANGES_AT_SCALE; i++) {
      const id = `change-${i}`;
      const began = performance.now();
      const put = await etcd
        .put(documentKey(prefix, 'routes', id))
        .value(JSON.stringify({ id, match: { paths: [{ type: 'exact', value: `/${id}` }] }, backends: [{ upstreamId: 'ready' }] }))
        .exec();
      const revision = Number(put.header.revision);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`change ${id} not applied within 30 s`)), 30_000);
        notify = () => {
          if (applied < revision) return;
          clearTimeout(timer);
          resolve();
        };
        notify();
      });
      times.push(performance.now() - began);
      const res = await fetch(`http://127.0.0.1:${dp.httpPort}/${id}`);
      await res.arrayBuffer();
      if (res.headers.get('x-upstream') !== 'ready') throw new Error(`GET /${id} answered ${res.status}, not from the upstream`);
      await delay(1000);
    }
  } finally {
    await watcher.cancel();
  }
  return times;
}

function report(
  starts: Start[],
  cacheReadyMs: number,
  writeMs: number,
  up: { upRss: number; workerRss: number } | undefined,
  changeMs: number[],
  options: ScaleOptions,
): SectionReport {
  const mib = (b: number) => formatNumber(b / MiB);
  const [idle, , full] = starts as [Start, Start, Start];
  const perTenK = starts.length === 3 ? (Math.max(...full.workerRss) - Math.max(...idle.workerRss)) / (full.config.routes / 10_000) : NaN;
  const idleWorker = Math.max(...idle.workerRss);
  const rows = starts.map((s) => [
    `${formatNumber(s.config.routes)} routes, ${formatNumber(s.config.upstreams)} upstreams, ${formatNumber(s.config.certificates)} certificates`,
    `${formatNumber(s.readyMs)} ms`,
    `${formatNumber(s.loadMs)} ms`,
    `${formatNumber(s.compileMs)} ms`,
    s.workerRss.map(mib).join(' / '),
    s.workerAnon.map(mib).join(' / '),
    mib(s.primaryRss),
  ]);
  const markdown = [
    `### A. Cold start and memory: ${formatNumber(options.routes)} routes, ${formatNumber(options.upstreams)} upstreams, ${formatNumber(options.certificates)} certificates`,
    '',
    `A data plane with 2 workers started against the 3-member etcd (\`gateway data-plane --workers 2\`); "ready" is the primary's \`/readyz\` (every worker has a config) and a request through the proxy answered. Load: the longest "config loaded from etcd" (range pages read and every document validated); compile: the mean of the workers' table compiles. RSS (VmRSS; anonymous = the process's own pages, without the shared Node binary) read ${SETTLE_MS / 1000} s after ready. Writing the ${formatNumber(options.routes)}-route config into etcd took ${formatNumber(writeMs / 1000, 1)} s (128-put transactions, 4 at a time). Certificates: RSA 2048, each its own certificate and name.`,
    '',
    markdownTable(['config', 'spawn → ready', 'load', 'compile', 'worker RSS MiB', 'worker anon MiB', 'primary RSS MiB'], rows),
    '',
    markdownTable(
      ['measure', 'target', 'result'],
      [
        [`cold start at ${formatNumber(options.routes)} routes`, '< 3 s', `${formatNumber(full?.readyMs)} ms`],
        ['cold start from the disk cache, etcd unreachable', '< 2 s', `${formatNumber(cacheReadyMs)} ms`],
        ['idle worker RSS', `≤ ${IDLE_RSS_TARGET_MIB} MiB`, `${mib(idleWorker)} MiB`],
        ['worker RSS per 10k routes (with their upstreams and certificates)', '–', `${formatNumber(perTenK / MiB, 1)} MiB`],
        [
          `one route changed at ${formatNumber(options.routes)} routes → applied by both workers (each change recompiles the whole table)`,
          '–',
          changeMs.length ? `${changeMs.map((m) => formatNumber(m)).join(' / ')} ms` : '–',
        ],
        [
          "`gateway up`'s own process (control plane, admin API, data-plane primary), empty config",
          '–',
          up ? `${mib(up.upRss)} MiB (its worker ${mib(up.workerRss)} MiB)` : 'did not start',
        ],
      ],
      false,
    ),
  ].join('\n');
  return {
    markdown,
    targets: [
      {
        target: `cold start at ${formatNumber(options.routes)} routes < 3 s`,
        result: `${formatNumber(full?.readyMs)} ms`,
        status: full && full.readyMs < READY_TARGET_MS ? 'PASS' : 'FAIL',
      },
      {
        target: 'cold start from the disk cache (etcd down) < 2 s',
        result: `${formatNumber(cacheReadyMs)} ms`,
        status: cacheReadyMs < CACHE_READY_TARGET_MS ? 'PASS' : 'FAIL',
      },
      {
        target: `idle worker RSS ≤ ${IDLE_RSS_TARGET_MIB} MiB`,
        result: `${mib(idleWorker)} MiB`,
        status: idleWorker <= IDLE_RSS_TARGET_MIB * MiB ? 'PASS' : 'FAIL',
      },
    ],
  };
}
