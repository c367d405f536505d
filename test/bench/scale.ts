/**
 * `npm run bench:scale`: Sluice past one machine's usual sizes, all on loopback: cold start and
 * memory at 100k routes (a), 100 data planes on a 3-member etcd directly and through etcd's
 * grpc-proxy (b), the control plane at 20k Ingresses and 5k HTTPRoutes (c), and a leader killed
 * during a sync (d). Progress goes to stderr, the report to stdout and
 * test/bench/results/scale-latest.md (docs/scale.md keeps the figures of a full run).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import type { SectionReport, TargetResult } from './lib/bench-report.js';
import { markdownTable } from './lib/markdown-table.js';
import { ProcessRegistry } from './lib/process-registry.js';
import { REPO_ROOT } from './lib/sluice-processes.js';
import { measureColdStart } from './scale/cold-start.js';
import { measureControlPlaneScale, measureLeaderFailover, startBenchApiServer } from './scale/control-plane-scale.js';
import { startEtcdCluster } from './scale/etcd-cluster.js';
import { measureFleetPropagation } from './scale/fleet-propagation.js';
import { scaleOptions, type ScaleOptions } from './scale/scale-options.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The whole run is bounded: past this it stops every process and fails. */
const RUN_LIMIT_MS = 60 * 60 * 1000;

const registry = new ProcessRegistry();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-scale-'));
let etcdClient: Etcd3 | undefined;
let api: KubeApiServer | undefined;
const startedAt = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[scale ${seconds}s] ${message}\n`);
}

/** Stops every process the bench started (by pid), the test API server, and removes the temp dir. Safe to call again. */
async function cleanup(): Promise<void> {
  etcdClient?.close();
  etcdClient = undefined;
  await registry.stopAll();
  await api?.close();
  api = undefined;
  fs.rmSync(workDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping every process the bench started`);
    void cleanup().finally(() => process.exit(130));
  });
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function header(options: ScaleOptions): string {
  const etcdVersion = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : '';
  return [
    `## Sluice scale bench, ${new Date().toISOString()}${options.quick ? ' (BENCH_SCALE_QUICK: small sizes)' : ''}`,
    '',
    `- machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `- git ${git('rev-parse', '--short', 'HEAD')}${dirty}; Node ${process.version}; ${etcdVersion} (3 members on loopback)`,
    '- every process is on this machine and shares its cores: etcd, the data planes, the control planes, the test API server and the bench itself.',
  ].join('\n');
}

function summary(targets: TargetResult[]): string {
  return [
    '### Summary: targets vs results',
    '',
    markdownTable(
      ['target', 'result', 'status'],
      targets.map((t) => [t.target, t.result, t.status]),
      false,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const options = scaleOptions();
  const report = [header(options)];
  const sections: SectionReport[] = [];
  log('starting a 3-member etcd cluster');
  const cluster = await startEtcdCluster(registry, workDir);
  // Section d reads whole prefixes back at once (tens of MB): above gRPC's 4 MiB default.
  etcdClient = new Etcd3({ hosts: cluster.endpoints, grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 } });
  const ctx = { registry, cluster, etcd: etcdClient, workDir, options };
  const section = async (name: string, run: () => Promise<SectionReport>) => {
    try {
      sections.push(await run());
    } catch (err) {
      log(`section ${name} failed: ${(err as Error).stack ?? err}`);
      sections.push({
        markdown: `### ${name}\n\nfailed: ${(err as Error).message}`,
        targets: [{ target: `section ${name}`, result: (err as Error).message.slice(0, 200), status: 'FAIL' }],
      });
    }
  };
  if (options.sections.has('a')) await section('A. cold start and memory', () => measureColdStart({ ...ctx, etcdEndpoints: cluster.endpoints.join(',') }, log));
  if (options.sections.has('b')) await section('B. fleet propagation', () => measureFleetPropagation(ctx, log));
  if (options.sections.has('c') || options.sections.has('d')) {
    api = await startBenchApiServer(options);
    const kube = api;
    let leader: Awaited<ReturnType<typeof measureControlPlaneScale>>['leader'] | undefined;
    await section('C. control plane', async () => {
      const result = await measureControlPlaneScale(ctx, kube, log);
      leader = result.leader;
      return result.report;
    });
    if (options.sections.has('d') && leader) await section('D. leader failover', () => measureLeaderFailover(ctx, kube, leader!, log));
  }
  report.push(...sections.map((s) => s.markdown), summary(sections.flatMap((s) => s.targets)));
  report.push(
    `Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; run time ${((Date.now() - startedAt) / 60_000).toFixed(1)} min.`,
  );
  const markdown = `${report.join('\n\n')}\n`;
  process.stdout.write(`\n${markdown}`);
  const resultsDir = path.join(HERE, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'scale-latest.md'), markdown);
  log('report saved to test/bench/results/scale-latest.md');
}

const limit = setTimeout(() => {
  log(`the run passed ${RUN_LIMIT_MS / 60_000} min: stopping`);
  void cleanup().finally(() => process.exit(1));
}, RUN_LIMIT_MS);
try {
  await main();
} catch (err) {
  log(`scale bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  clearTimeout(limit);
  await cleanup();
}
