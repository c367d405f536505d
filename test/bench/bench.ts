/**
 * `npm run bench`: single-core HTTP and WebSocket proxy figures for nginx, the fastest plain
 * Node proxy and Sluice, config propagation through the admin API, and the router bench, as one
 * markdown report (method: /work/shared/PERFORMANCE.md). Progress goes to stderr, the report to
 * stdout and test/bench/results/latest.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { prefixRoute, putDocument, upstreamDocument } from './lib/bench-documents.js';
import { benchOptions, type BenchOptions } from './lib/bench-options.js';
import type { SectionReport, TargetResult } from './lib/bench-report.js';
import { markdownTable } from './lib/markdown-table.js';
import { LARGE_BODIES, referenceProxyConfig, startNginx, UPSTREAM_BODY, upstreamServerConfig } from './lib/nginx-instance.js';
import { ProcessRegistry, type BenchProcess } from './lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane } from './lib/sluice-processes.js';
import { measureConfigPropagation } from './sections/config-propagation.js';
import { measureControlPlaneSync } from './sections/control-plane-sync.js';
import { measureHttpThroughput, reportHttpThroughput, type ProxyUnderTest } from './sections/http-throughput.js';
import { runRouterBench } from './sections/router-bench-section.js';
import { measurePluginOverhead } from './sections/plugin-overhead.js';
import { measureStreamsTls } from './sections/streams-tls.js';
import { measureWebSocketEcho, reportWebSocketEcho } from './sections/websocket-echo.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PREFIX = '/bench';
const PROXY_CPU = 0;
const LOAD_CPU = 1;
/** The short git revision of a checkout, to name a baseline in the report. */
function baselineRevision(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return path.basename(dir);
  }
}

const NAMES = { nginx: 'nginx 1 worker', node: 'node:http + undici Pool.stream', sluice: 'Sluice, 1 worker' };

const registry = new ProcessRegistry();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
let etcd: TestEtcd | undefined;
let etcdClient: Etcd3 | undefined;
const startedAt = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

/** Stops every process the bench started (by pid), etcd, and removes the temp dirs. Safe to call again. */
async function cleanup(): Promise<void> {
  const client = etcdClient;
  etcdClient = undefined;
  client?.close();
  await registry.stopAll();
  const store = etcd;
  etcd = undefined;
  await store?.stop().catch(() => undefined);
  fs.rmSync(workDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping every process the bench started`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** A small Node program of this folder, started with tsx; resolves once it prints {"port":N}. */
async function startProgram(name: string, file: string, args: string[], cpu: number): Promise<{ proc: BenchProcess; port: number }> {
  const proc = registry.spawn(name, process.execPath, ['--import', 'tsx', path.join(HERE, 'programs', file), ...args], { cpu, cwd: REPO_ROOT });
  const line = await proc.waitForLine(/^\{"port":(\d+)\}$/, 20_000);
  return { proc, port: Number(line[1]) };
}

/** Checks a proxy really forwards to the nginx upstream before its figures are trusted. */
async function expectUpstreamBody(url: string): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200 || body !== UPSTREAM_BODY)
    throw new Error(`GET ${url} answered ${res.status} ${JSON.stringify(body.slice(0, 80))}, not the upstream's body`);
}

function versionOf(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.split('\n')[0]!.trim() || `${command}: unknown version`;
}

function header(options: BenchOptions): string {
  return [
    `## Sluice bench, ${new Date().toISOString()}${options.quick ? ' (BENCH_QUICK: short runs, figures are rough)' : ''}`,
    '',
    `- machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; Node ${process.version}; ${versionOf('nginx', ['-v'])}; ${versionOf('wrk', ['-v'])}; git ${versionOf('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'])}`,
    `- ${options.passes} interleaved pass(es); HTTP ${options.httpSeconds} s at c50 (${options.sideSeconds} s at c10/c200), WebSocket ${options.wsSeconds} s, ${options.warmupSeconds} s warm-up per proxy; ${options.propagationUpdates} config updates`,
    '- CPU µs per request/message: utime+stime of the proxy process tree (nginx master+worker, Sluice primary+workers) ÷ completed requests.',
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
  const options = benchOptions();
  // BENCH_SECTIONS=a,b picks sections (a http, b websocket, c propagation, d router, e plugin overhead, f streams/TLS, g Ingress control plane); default all.
  const wanted = new Set((process.env.BENCH_SECTIONS ?? 'a,b,c,d,e,f,g').split(',').map((x) => x.trim()));
  const sections: SectionReport[] = [];
  const report = [header(options)];

  log('starting etcd, the nginx upstream, the ws echo upstream and the proxies');
  etcd = await startEtcd();
  etcdClient = new Etcd3({ hosts: etcd.endpoint });
  const upstreamPort = await freePort();
  await startNginx(
    registry,
    'nginx upstream',
    path.join(workDir, 'nginx-upstream'),
    LOAD_CPU,
    upstreamServerConfig(upstreamPort, path.join(workDir, 'bodies')),
    upstreamPort,
  );
  const wsEcho = await startProgram('ws echo upstream', 'ws-echo-server.ts', [], LOAD_CPU);

  const nginxPort = await freePort();
  const nginxProxy = await startNginx(
    registry,
    'nginx proxy',
    path.join(workDir, 'nginx-proxy'),
    PROXY_CPU,
    referenceProxyConfig(nginxPort, upstreamPort, wsEcho.port),
    nginxPort,
  );
  const nodeProxy = await startProgram('node proxy', 'node-proxy.ts', [`http://127.0.0.1:${upstreamPort}`], PROXY_CPU);
  await expectUpstreamBody(`http://127.0.0.1:${nginxPort}/`);
  await expectUpstreamBody(`http://127.0.0.1:${nodeProxy.port}/`);
  for (const [bodyPath, bytes] of Object.entries(LARGE_BODIES)) {
    // A larger-response row is a figure only if the upstream serves the file whole.
    const res = await fetch(`http://127.0.0.1:${nginxPort}${bodyPath}`);
    const length = (await res.arrayBuffer()).byteLength;
    if (res.status !== 200 || length !== bytes) throw new Error(`GET ${bodyPath} through nginx answered ${res.status} with ${length} bytes, not ${bytes}`);
  }

  await putDocument(etcdClient, PREFIX, 'upstreams', upstreamDocument('u1', upstreamPort));
  await putDocument(etcdClient, PREFIX, 'upstreams', upstreamDocument('ws', wsEcho.port));
  await putDocument(etcdClient, PREFIX, 'routes', prefixRoute('r1', '/', 'u1'));
  await putDocument(etcdClient, PREFIX, 'routes', prefixRoute('ws', '/ws', 'ws'));

  let sluice: { proc?: BenchProcess; port: number; failure?: string } = { port: 0 };
  try {
    log('starting Sluice (1 worker, pinned to CPU 0)');
    const dp = await startSluiceDataPlane(registry, {
      etcd: etcd.endpoint,
      prefix: PREFIX,
      workers: 1,
      cpu: PROXY_CPU,
      readyPath: '/',
      dataDir: path.join(workDir, 'sluice-1'),
    });
    sluice = { proc: dp.proc, port: dp.httpPort };
    await expectUpstreamBody(`http://127.0.0.1:${dp.httpPort}/`);
  } catch (err) {
    sluice.failure = (err as Error).message;
    log(`Sluice did not start: ${sluice.failure}`);
  }

  const httpProxies: ProxyUnderTest[] = [
    { name: NAMES.nginx, url: `http://127.0.0.1:${nginxPort}/`, pid: nginxProxy.pid },
    { name: NAMES.node, url: `http://127.0.0.1:${nodeProxy.port}/`, pid: nodeProxy.proc.pid },
    { name: NAMES.sluice, url: `http://127.0.0.1:${sluice.port}/`, pid: sluice.proc?.pid ?? 0, failure: sluice.failure },
  ];
  // BENCH_BASELINE=<another built checkout>: its data plane runs interleaved with this one, so a
  // change to the hot path is measured before and after in the same run.
  const baselineDir = process.env.BENCH_BASELINE;
  let baseline: BenchProcess | undefined;
  if (baselineDir !== undefined && wanted.has('a')) {
    const name = `Sluice baseline (${baselineRevision(baselineDir)}), 1 worker`;
    try {
      log(`starting the baseline Sluice from ${baselineDir}`);
      const dp = await startSluiceDataPlane(registry, {
        etcd: etcd.endpoint,
        prefix: PREFIX,
        workers: 1,
        cpu: PROXY_CPU,
        readyPath: '/',
        dataDir: path.join(workDir, 'sluice-baseline'),
        checkout: baselineDir,
        label: 'sluice baseline data-plane',
      });
      baseline = dp.proc;
      await expectUpstreamBody(`http://127.0.0.1:${dp.httpPort}/`);
      httpProxies.push({ name, url: `http://127.0.0.1:${dp.httpPort}/`, pid: dp.proc.pid });
    } catch (err) {
      httpProxies.push({ name, url: '', pid: 0, failure: (err as Error).message });
    }
  }
  if (wanted.has('a')) {
    const http = await measureHttpThroughput(registry, httpProxies, options, log);
    sections.push(reportHttpThroughput(httpProxies, http, { ...NAMES, baseline: httpProxies[3]?.name }));
  }
  await registry.stop(nodeProxy.proc);
  if (baseline !== undefined) await registry.stop(baseline);
  if (wanted.has('e') && sluice.proc) {
    sections.push(
      await measurePluginOverhead(
        { registry, etcd: etcdClient, prefix: PREFIX, upstreamId: 'u1', sluice: { port: sluice.port, pid: sluice.proc.pid } },
        options,
        log,
      ),
    );
  }

  const wsProxies: ProxyUnderTest[] = [
    { name: NAMES.nginx, url: `ws://127.0.0.1:${nginxPort}/ws`, pid: nginxProxy.pid },
    { name: NAMES.sluice, url: `ws://127.0.0.1:${sluice.port}/ws`, pid: sluice.proc?.pid ?? 0, failure: sluice.failure },
  ];
  if (wanted.has('b')) {
    const ws = await measureWebSocketEcho(registry, wsProxies, options, log);
    sections.push(reportWebSocketEcho(wsProxies, ws, NAMES, options));
  }
  if (sluice.proc) await registry.stop(sluice.proc);
  await registry.stop(nginxProxy);
  await registry.stop(wsEcho.proc);
  if (wanted.has('f')) {
    sections.push(
      await measureStreamsTls(
        {
          registry,
          etcd: etcdClient,
          etcdEndpoint: etcd.endpoint,
          prefix: PREFIX,
          httpUpstreamPort: upstreamPort,
          workDir,
          baseline: baselineDir === undefined ? undefined : { dir: baselineDir, name: `Sluice baseline (${baselineRevision(baselineDir)}), 1 worker` },
        },
        options,
        log,
      ),
    );
  }

  const propagation = { registry, etcd: etcdClient, etcdEndpoint: etcd.endpoint, prefix: PREFIX, upstreamId: 'u1', dataDir: path.join(workDir, 'sluice-2') };
  if (wanted.has('c')) sections.push(await measureConfigPropagation(propagation, options, log));
  if (wanted.has('g')) sections.push(await measureControlPlaneSync({ registry, etcd: etcdClient, etcdEndpoint: etcd.endpoint, prefix: PREFIX, workDir }, log));

  // The router bench measures one process's CPU and memory: run it with nothing else of ours running.
  await cleanup();
  if (wanted.has('d')) sections.push(await runRouterBench(registry, log));

  report.push(...sections.map((s) => s.markdown), summary(sections.flatMap((s) => s.targets)));
  report.push(
    `Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on this machine makes absolute figures drift; compare ratios and CPU per request).`,
  );
  const markdown = `${report.join('\n\n')}\n`;
  process.stdout.write(`\n${markdown}`);
  const resultsDir = path.join(HERE, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'latest.md'), markdown);
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; report saved to test/bench/results/latest.md`);
}

try {
  await main();
} catch (err) {
  log(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
