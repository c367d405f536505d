import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { documentKey } from '@sluice/model';
import type { Etcd3 } from 'etcd3';
import { documentRanges } from '../../../data-plane/src/config/load-prefix.js';
import { startHttpEcho } from '../../helpers/upstreams.js';
import type { Log, SectionReport, TargetResult } from '../lib/bench-report.js';
import { formatNumber, markdownTable } from '../lib/markdown-table.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { startSluiceDataPlane, type SluiceDataPlane } from '../lib/sluice-processes.js';
import { percentile } from '../lib/stats.js';
import type { EtcdCluster, EtcdProcessFigures, GrpcProxyFigures } from './etcd-cluster.js';
import type { ScaleOptions } from './scale-options.js';

const PREFIX = '/fleet';
/** etcd watchers per data-plane watch (data-plane/src/config/load-prefix.ts documentRanges). */
const DOCUMENT_RANGES = documentRanges(PREFIX).length;
const P99_TARGET_MS = 250;
/** Instances started at once (each is a primary and a worker: about a second of CPU). */
const START_CONCURRENCY = 6;
const CHANGE_TIMEOUT_MS = 10_000;
const IDLE_WINDOW_MS = 5000;
/** The reference run's size: few enough processes that the cores are not the bound. */
const SMALL_FLEET = 10;
const MiB = 1024 * 1024;

export interface FleetContext {
  registry: ProcessRegistry;
  cluster: EtcdCluster;
  etcd: Etcd3;
  workDir: string;
  options: ScaleOptions;
}

interface FleetRun {
  name: string;
  instances: number;
  /** Watchers the fleet added on etcd's members (summed), the fleet running and idle. */
  etcdWatchers: number;
  /** Each instance's delay from the write to serving it, over every change. */
  perInstance: number[];
  /** Per change: until the last instance served it. */
  allServed: number[];
  /** Instances that did not report a change within the timeout, over every change. */
  late: number;
  /** Requests after each change that did not reach the new route. */
  notServed: number;
  etcdCpuPerChange: number;
  etcdCpuPercent: number;
  etcdRssMax: number;
  /** CPU time of every process on this machine during the changes (from /proc/stat), per change. */
  machineCpuPerChange: number;
  /** CPU-seconds per second the idle fleet uses (all processes). */
  idleCpuShare: number;
  proxy?: { cpuPerChange: number; rss: number; coalescing: number };
}

/**
 * Section b: `instances` data planes (1 worker each, all on this machine) on the 3-member etcd.
 * Each change (a new route written straight to etcd) is timed from the write until each data
 * plane's registration (which its primary rewrites after every table swap) reports the change's
 * revision, seen through a watch; afterwards every instance is asked for the new route. Run twice:
 * the data planes talking to the members, then through one `etcd grpc-proxy`.
 */
export async function measureFleetPropagation(ctx: FleetContext, log: Log): Promise<SectionReport> {
  const echo = await startHttpEcho('fleet');
  try {
    await ctx.etcd
      .put(documentKey(PREFIX, 'upstreams', 'fleet'))
      .value(JSON.stringify({ id: 'fleet', nodes: [{ host: '127.0.0.1', port: echo.port, weight: 1 }] }));
    await ctx.etcd
      .put(documentKey(PREFIX, 'routes', 'base'))
      .value(JSON.stringify({ id: 'base', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'fleet' }] }));
    // A small fleet first: the same path without 200 processes competing for the cores.
    const small = await runFleet(ctx, 'direct', SMALL_FLEET, ctx.cluster.endpoints.join(','), undefined, log);
    const direct = await runFleet(ctx, 'direct', ctx.options.instances, ctx.cluster.endpoints.join(','), undefined, log);
    const proxy = await ctx.cluster.startGrpcProxy();
    const proxied = await runFleet(ctx, 'grpc-proxy', ctx.options.instances, proxy.endpoint, proxy.figures, log);
    await ctx.registry.stop(proxy.proc);
    return report([small, direct, proxied], ctx.options);
  } finally {
    await echo.close();
  }
}

async function runFleet(
  ctx: FleetContext,
  name: string,
  instances: number,
  etcd: string,
  proxyFigures: (() => Promise<GrpcProxyFigures>) | undefined,
  log: Log,
): Promise<FleetRun> {
  const { registry, options } = ctx;
  const baseWatchers = sum(await ctx.cluster.figures(), 'watchers');
  log(`fleet (${name}): starting ${instances} data planes, ${START_CONCURRENCY} at a time`);
  const fleet: SluiceDataPlane[] = [];
  try {
    let next = 0;
    const starter = async () => {
      while (next < instances) {
        const i = next++;
        fleet.push(
          await startSluiceDataPlane(registry, {
            etcd,
            prefix: PREFIX,
            workers: 1,
            readyPath: '/',
            dataDir: path.join(ctx.workDir, `fleet-${name}-${instances}-${i}`),
            readyTimeoutMs: 180_000,
            label: `fleet ${name} ${instances} ${i}`,
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: START_CONCURRENCY }, starter));
    log(`fleet (${name}): ${fleet.length} data planes serving; timing ${options.changes} changes`);
    await delay(2000);
    // What the idle fleet (timers, lease keep-alives) costs, to tell apart from what changes cost.
    const idleFrom = machineBusySeconds();
    await delay(IDLE_WINDOW_MS);
    const idleCpuShare = (machineBusySeconds() - idleFrom) / (IDLE_WINDOW_MS / 1000);
    // Read before the bench's own watch below exists.
    const fleetWatchers = sum(await ctx.cluster.figures(), 'watchers') - baseWatchers;

    // Each data plane's registration key ends with its primary's pid (`<host>-<pid>`).
    const applied = new Map<number, number>();
    const waiters = new Set<() => void>();
    const watcher = await ctx.etcd
      .watch()
      .prefix(documentKey(PREFIX, 'dataplanes', ''))
      .create();
    watcher.on('put', (kv) => {
      const status = JSON.parse(kv.value.toString()) as { pid: number; revision: number };
      applied.set(status.pid, status.revision);
      for (const w of waiters) w();
    });
    const pids = fleet.map((dp) => dp.proc.pid);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const etcdBefore = await ctx.cluster.figures();
    const machineBefore = machineBusySeconds();
    const proxyBefore = await proxyFigures?.();
    const began = performance.now();
    const run: FleetRun = {
      name,
      instances: fleet.length,
      etcdWatchers: fleetWatchers,
      perInstance: [],
      allServed: [],
      late: 0,
      notServed: 0,
      etcdCpuPerChange: NaN,
      etcdCpuPercent: NaN,
      etcdRssMax: NaN,
      machineCpuPerChange: NaN,
      idleCpuShare,
    };
    try {
      for (let k = 0; k < options.changes; k++) {
        const id = `probe-${name}-${instances}-${k}`;
        const pending = new Set(pids);
        const seen = new Map<number, number>();
        const written = performance.now();
        const put = await ctx.etcd
          .put(documentKey(PREFIX, 'routes', id))
          .value(JSON.stringify({ id, match: { paths: [{ type: 'exact', value: `/${id}` }] }, backends: [{ upstreamId: 'fleet' }] }))
          .exec();
        const revision = Number(put.header.revision);
        await new Promise<void>((resolve) => {
          const check = () => {
            for (const pid of pending) {
              if ((applied.get(pid) ?? 0) >= revision) {
                pending.delete(pid);
                seen.set(pid, performance.now() - written);
              }
            }
            if (pending.size === 0) done();
          };
          const timer = setTimeout(() => done(), CHANGE_TIMEOUT_MS);
          const done = () => {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        });
        run.late += pending.size;
        run.perInstance.push(...seen.values(), ...[...pending].map(() => CHANGE_TIMEOUT_MS));
        run.allServed.push(pending.size ? CHANGE_TIMEOUT_MS : Math.max(...seen.values()));
        // Applied means served: every instance answers the new route from the upstream.
        const answers = await Promise.all(fleet.map((dp) => upstreamOf(agent, dp.httpPort, `/${id}`)));
        run.notServed += answers.filter((a) => a !== 'fleet').length;
        await delay(200);
      }
    } finally {
      await watcher.cancel();
      agent.destroy();
    }
    const seconds = (performance.now() - began) / 1000;
    run.machineCpuPerChange = (machineBusySeconds() - machineBefore) / options.changes;
    const etcdAfter = await ctx.cluster.figures();
    const cpu = sum(etcdAfter, 'cpuSeconds') - sum(etcdBefore, 'cpuSeconds');
    run.etcdCpuPerChange = cpu / options.changes;
    run.etcdCpuPercent = (100 * cpu) / seconds;
    run.etcdRssMax = Math.max(...etcdAfter.map((f) => f.rssBytes));
    if (proxyFigures && proxyBefore) {
      const after = await proxyFigures();
      run.proxy = { cpuPerChange: (after.cpuSeconds - proxyBefore.cpuSeconds) / options.changes, rss: after.rssBytes, coalescing: after.coalescingWatchers };
    }
    log(
      `fleet (${name}): all served p50 ${percentile(run.allServed, 50).toFixed(0)} ms, p99 ${percentile(run.allServed, 99).toFixed(0)} ms; etcd watchers ${run.etcdWatchers}; ${run.late} late, ${run.notServed} not served`,
    );
    return run;
  } finally {
    await Promise.all(fleet.map((dp) => registry.stop(dp.proc, 10_000)));
  }
}

/** CPU seconds every process of this machine has used since boot (user, nice, system, irq, softirq: /proc/stat). */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq!) / 100;
}

function sum(figures: EtcdProcessFigures[], field: keyof EtcdProcessFigures): number {
  return figures.reduce((total, f) => total + f[field], 0);
}

/** The x-upstream header of a GET on a kept-alive connection (undefined for an answer not from an upstream). */
function upstreamOf(agent: http.Agent, port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['x-upstream'] as string | undefined));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(5000, () => req.destroy());
  });
}

function report(runs: FleetRun[], options: ScaleOptions): SectionReport {
  const ms = (v: number) => `${formatNumber(v)} ms`;
  const rows = runs.map((r) => [
    r.name,
    formatNumber(r.instances),
    formatNumber(r.etcdWatchers),
    ms(percentile(r.perInstance, 50)),
    ms(percentile(r.perInstance, 99)),
    ms(percentile(r.allServed, 50)),
    ms(percentile(r.allServed, 99)),
    `${formatNumber(r.late)} / ${formatNumber(r.notServed)}`,
    `${formatNumber(r.etcdCpuPerChange * 1000)} ms (${formatNumber(r.etcdCpuPercent, 1)} %)`,
    `${formatNumber(r.machineCpuPerChange * 1000)} ms (idle: ${formatNumber(r.idleCpuShare, 2)} CPU)`,
    formatNumber(r.etcdRssMax / MiB),
    r.proxy ? `${formatNumber(r.proxy.cpuPerChange * 1000)} ms, ${formatNumber(r.proxy.rss / MiB)} MiB, ${formatNumber(r.proxy.coalescing)} coalesced` : '–',
  ]);
  const markdown = [
    `### B. ${formatNumber(options.instances)} data planes on one 3-member etcd: one change until every instance serves it`,
    '',
    `First ${SMALL_FLEET} data planes as a reference (the same path, the cores not saturated), then ${formatNumber(options.instances)} talking to the members, then ${formatNumber(options.instances)} through one \`etcd grpc-proxy\`.`,
    '',
    `${formatNumber(options.instances)} \`gateway data-plane --workers 1\` processes (a primary and a worker each) on this machine, the 3 etcd members on loopback. Per change (${options.changes} of them, a new route put straight into etcd), each instance's delay is from the write until its registration (\`/fleet/dataplanes/<id>\`, rewritten by its primary after each table swap) reports the change's revision, seen through a watch: so it includes one more etcd write and watch event. After each change every instance is asked for the new route; "late / not served" counts instances that did not report within 10 s and requests that did not reach the new route. etcd watchers: the members' \`etcd_debugging_mvcc_watcher_total\` summed, minus those before the fleet started (the grpc-proxy's own included in the latter). etcd CPU: the three members' CPU time during the changes (process time from /proc); machine CPU: every process's (/proc/stat), the 30 × 200 ms pauses between changes included, of at most ${os.cpus().length} CPU-seconds per second.`,
    '',
    markdownTable(
      [
        'etcd access',
        'instances',
        'etcd watchers',
        'per instance p50',
        'per instance p99',
        'all served p50',
        'all served p99',
        'late / not served',
        'etcd CPU per change (share of a core)',
        'machine CPU per change (idle fleet)',
        'etcd RSS MiB (max member)',
        'grpc-proxy: CPU per change, RSS, coalesced watchers',
      ],
      rows,
    ),
  ].join('\n');
  const targets: TargetResult[] = runs
    .filter((r) => r.instances === options.instances)
    .map((r) => {
      const p99 = percentile(r.allServed, 99);
      return {
        target: `fleet (${r.name}): one change served by all ${r.instances} instances, p99 < ${P99_TARGET_MS} ms`,
        result: `${formatNumber(p99)} ms (${r.late} late, ${r.notServed} not served)`,
        status: p99 < P99_TARGET_MS && r.late === 0 && r.notServed === 0 ? 'PASS' : 'FAIL',
      };
    });
  const proxied = runs.find((r) => r.proxy);
  // A data plane's watch is one etcd watcher per document range (documentRanges: two, around the registrations).
  if (proxied)
    targets.push({
      target: `fleet through grpc-proxy: etcd sees one watch per proxy (${DOCUMENT_RANGES} watchers: one per document range)`,
      result: `${formatNumber(proxied.etcdWatchers)} watcher(s) added for ${proxied.instances} instances`,
      status: proxied.etcdWatchers <= DOCUMENT_RANGES ? 'PASS' : 'FAIL',
    });
  return { markdown, targets };
}
