/**
 * `npm run bench:profile`: where a Sluice worker spends its time under one of the bench's loads
 * (1 worker on CPU 0; nginx upstream and the load generator on CPU 1), in one of three ways,
 * written as markdown (and the raw profile) under PROFILE_OUT:
 *
 *   PROFILE_MODE=cpu     V8's sampling profiler (--cpu-prof): self time per function
 *   PROFILE_MODE=strace  strace -c -f on the worker: system calls per request
 *   PROFILE_MODE=perf    perf record (cpu-clock) with --perf-basic-prof: kernel vs user share,
 *                        and the hottest symbols on both sides
 *   PROFILE_MODE=rate    no profiler: the rate and the data plane's CPU per operation (for A/B
 *                        runs of a setting, e.g. with an environment variable)
 *
 * PROFILE_TARGET=nginx profiles the reference nginx proxy (1 worker, same CPU and load, HTTP only;
 * strace, perf and rate modes) instead of Sluice, for the same counts side by side.
 * PROFILE_LOAD picks the load: http (wrk, keep-alive, 50 connections; the default), https (the
 * same over TLS), h2 (h2load over TLS, 50 connections × 10 streams), tls-handshake (50 loops of
 * connect + full TLS handshake + close, ECDSA P-256). PROFILE_SECONDS (default 10), PROFILE_PATH
 * (the request path, default /; /16k and /256k serve larger bodies), PROFILE_OUT (default
 * docs/performance/profiles/<mode>-<load>-<date>). Bounded in time, loopback only, every process
 * stopped by pid at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { prefixRoute, putDocument, upstreamDocument } from './lib/bench-documents.js';
import { LARGE_BODIES, referenceProxyConfig, startNginx, upstreamServerConfig } from './lib/nginx-instance.js';
import { processCpu, processTree } from './lib/process-cpu.js';
import { ProcessRegistry, type BenchProcess } from './lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane } from './lib/sluice-processes.js';
import { makeCertificate, runH2load, runStreamLoad } from './lib/tls-load.js';
import { runWrk } from './lib/wrk-run.js';

const PROXY_CPU = 0;
const LOAD_CPU = 1;
const PREFIX = '/bench-profile';
const mode = (process.env.PROFILE_MODE ?? 'cpu') as 'cpu' | 'strace' | 'perf' | 'rate';
type Load = 'http' | 'https' | 'h2' | 'tls-handshake';
const load = (process.env.PROFILE_LOAD ?? 'http') as Load;
const target = (process.env.PROFILE_TARGET ?? 'sluice') as 'sluice' | 'nginx';
const LOADS: Record<Load, string> = {
  http: 'wrk -t1 -c50, keep-alive HTTP/1.1',
  https: 'wrk -t1 -c50, keep-alive HTTPS (ECDSA P-256)',
  h2: 'h2load -c50 -m10, HTTP/2 over TLS',
  'tls-handshake': '50 loops of connect + full TLS handshake (ECDSA P-256, no resumption) + close',
};
const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const requestPath = process.env.PROFILE_PATH ?? '/';
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
// A rate run is a quick A/B figure, printed: its summary goes to a temp dir unless PROFILE_OUT says otherwise.
const defaultOut =
  mode === 'rate'
    ? path.join(os.tmpdir(), `sluice-rate-${stamp}`)
    : path.join(REPO_ROOT, 'docs/performance/profiles', `${mode}-${target === 'nginx' ? 'nginx-' : ''}${load === 'http' ? '' : `${load}-`}${stamp}`);
const outDir = path.resolve(process.env.PROFILE_OUT ?? defaultOut);
if (target !== 'sluice' && target !== 'nginx') throw new Error(`PROFILE_TARGET must be sluice or nginx, got ${target}`);
if (target === 'nginx' && (load !== 'http' || mode === 'cpu')) throw new Error('PROFILE_TARGET=nginx takes the http load and the strace, perf or rate mode');
if (!(load in LOADS)) throw new Error(`PROFILE_LOAD must be one of ${Object.keys(LOADS).join(', ')}, got ${load}`);
if (!['cpu', 'strace', 'perf', 'rate'].includes(mode)) throw new Error(`PROFILE_MODE must be cpu, strace, perf or rate, got ${mode}`);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120) throw new Error(`PROFILE_SECONDS must be 1..120, got ${process.env.PROFILE_SECONDS}`);

const registry = new ProcessRegistry();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-profile-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** One measured run of the chosen load: operations (requests or handshakes) and how they went. */
interface LoadRun {
  ops: number;
  seconds: number;
  errors: number;
  /** wrk's p99 in ms (wrk loads only). */
  p99?: number;
}
type LoadRunner = (secs: number) => Promise<LoadRun>;

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    const upstreamPort = await freePort();
    // /16k and /256k are files the upstream serves (section a's larger-response rows); every other path gets 64 bytes.
    await startNginx(
      registry,
      'nginx upstream',
      path.join(workDir, 'nginx-upstream'),
      LOAD_CPU,
      upstreamServerConfig(upstreamPort, path.join(workDir, 'bodies')),
      upstreamPort,
    );
    await putDocument(client, PREFIX, 'upstreams', upstreamDocument('u1', upstreamPort));
    await putDocument(client, PREFIX, 'routes', prefixRoute('r1', '/', 'u1'));
    if (load !== 'http') {
      const cert = makeCertificate(workDir, 'ec');
      await putDocument(client, PREFIX, 'ssls', { id: 'bench', snis: ['*'], cert: fs.readFileSync(cert.cert, 'utf8'), key: fs.readFileSync(cert.key, 'utf8') });
    }
    let dp: { proc: BenchProcess; httpPort: number; httpsPort: number };
    let worker: number | undefined;
    if (target === 'nginx') {
      const port = await freePort();
      const proc = await startNginx(
        registry,
        'nginx proxy',
        path.join(workDir, 'nginx-proxy'),
        PROXY_CPU,
        referenceProxyConfig(port, upstreamPort, upstreamPort),
        port,
      );
      dp = { proc, httpPort: port, httpsPort: 0 };
      worker = processTree(proc.pid).find((pid) => pid !== proc.pid);
    } else {
      const nodeOptions = mode === 'cpu' ? `--cpu-prof --cpu-prof-dir=${workDir}/cpu` : mode === 'perf' ? '--perf-basic-prof' : '';
      process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ');
      dp = await startSluiceDataPlane(registry, {
        etcd: etcd.endpoint,
        prefix: PREFIX,
        workers: 1,
        cpu: PROXY_CPU,
        readyPath: '/',
        dataDir: path.join(workDir, 'dp'),
      });
      worker = processTree(dp.proc.pid).find((pid) => pid !== dp.proc.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker-main'));
    }
    if (worker === undefined) throw new Error(`the ${target} worker process was not found`);
    const run = loadRunner(dp.httpPort, dp.httpsPort);
    log(`${target} worker pid ${worker}; ${load} warm-up 3 s`);
    await run(3);

    let report: string;
    if (mode === 'rate') {
      // No profiler: the load's rate and the data plane's CPU per operation (primary + worker).
      const before = processCpu(dp.proc.pid);
      const measured = await run(seconds);
      const cpu = processCpu(dp.proc.pid) - before;
      report = `${target} ${loadLine(measured)}; CPU ${(cpu / measured.ops).toFixed(1)} µs per ${load === 'tls-handshake' ? 'handshake' : 'request'} (${target === 'nginx' ? 'master + worker' : 'primary + worker'})`;
      process.stdout.write(`${report}\n`);
    } else if (mode === 'strace') report = await straceRun(worker, run);
    else if (mode === 'perf') report = await perfRun(worker, run);
    else {
      const measured = await run(seconds);
      const stopStarted = performance.now();
      await registry.stop(dp.proc, 15_000);
      const stopMs = performance.now() - stopStarted;
      const file = fs
        .readdirSync(path.join(workDir, 'cpu'))
        .map((f) => path.join(workDir, 'cpu', f))
        .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      fs.copyFileSync(file, path.join(outDir, 'worker.cpuprofile'));
      report = `${loadLine(measured)}\n\n${summarizeCpuProfile(JSON.parse(fs.readFileSync(file, 'utf8')), stopMs)}`;
    }
    const pathNote = requestPath !== '/' ? ` PROFILE_PATH=${requestPath}` : '';
    const header = [
      `# ${mode} profile of one ${target === 'nginx' ? 'nginx (reference proxy)' : 'Sluice'} worker: ${load}`,
      '',
      `- ${new Date().toISOString()}, git ${gitRevision()}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
      `- ${LOADS[load]} for ${seconds} s (path ${requestPath}) against 1 worker on CPU 0; nginx upstream (${LARGE_BODIES[requestPath] ?? 64}-byte body) and the load on CPU 1`,
      `- command: \`${target === 'nginx' ? 'PROFILE_TARGET=nginx ' : ''}PROFILE_MODE=${mode} PROFILE_LOAD=${load} PROFILE_SECONDS=${seconds}${pathNote} npm run bench:profile\``,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(outDir, 'summary.md'), `${header}\n${report}\n`);
    log(`written: ${path.relative(REPO_ROOT, outDir)}/summary.md`);
  } finally {
    await registry.stopAll();
    client.close();
    await etcd.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function loadRunner(httpPort: number, httpsPort: number): LoadRunner {
  const wrk = (url: string) => async (secs: number) => {
    const r = await runWrk(registry, url, 50, secs, LOAD_CPU);
    return { ops: r.requests, seconds: r.seconds, errors: r.errors, p99: r.p99 };
  };
  if (load === 'http') return wrk(`http://127.0.0.1:${httpPort}${requestPath}`);
  if (load === 'https') return wrk(`https://127.0.0.1:${httpsPort}${requestPath}`);
  if (load === 'h2') {
    return async (secs) => {
      const r = await runH2load(registry, `https://127.0.0.1:${httpsPort}${requestPath}`, 50, 10, secs, LOAD_CPU);
      return { ops: r.requests, seconds: r.seconds, errors: r.errors };
    };
  }
  return (secs) => runStreamLoad(registry, 'tls-handshake', httpsPort, 50, secs, 'bench.test', LOAD_CPU);
}

function loadLine(r: LoadRun): string {
  const what = load === 'tls-handshake' ? 'handshakes' : 'requests';
  return `${load}: ${r.ops} ${what}, ${Math.round(r.ops / r.seconds)}/s${r.p99 !== undefined ? `, p99 ${r.p99.toFixed(2)} ms` : ''}, ${r.errors} errors`;
}

/** strace slows every system call: its rates are not throughput figures, its counts per request are. */
async function straceRun(worker: number, run: LoadRunner): Promise<string> {
  const file = path.join(outDir, 'strace.txt');
  const tracer = spawn('strace', ['-c', '-f', '-p', String(worker), '-o', file], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const measured = await run(seconds);
  tracer.kill('SIGINT');
  await new Promise((r) => tracer.once('exit', r));
  const text = fs.readFileSync(file, 'utf8');
  const rows = text.split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+/.test(l));
  const perRequest = rows.map((l) => {
    const cols = l.trim().split(/\s+/);
    const calls = Number(cols[3]);
    return `| ${cols.at(-1)} | ${calls} | ${(calls / measured.ops).toFixed(2)} | ${cols[0]} |`;
  });
  const total = rows.reduce((n, l) => n + Number(l.trim().split(/\s+/)[3]), 0);
  return [
    loadLine(measured) + ' (under strace: slowed)',
    '',
    `System calls per ${load === 'tls-handshake' ? 'handshake' : 'request'}: **${(total / measured.ops).toFixed(2)}**`,
    '',
    `| syscall | calls | per ${load === 'tls-handshake' ? 'handshake' : 'request'} | % time |`,
    '| --- | ---: | ---: | ---: |',
    ...perRequest,
    '',
    '```',
    text.trim(),
    '```',
  ].join('\n');
}

async function perfRun(worker: number, run: LoadRunner): Promise<string> {
  const data = path.join(workDir, 'perf.data');
  const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(worker), '-o', data, '--', 'sleep', String(seconds)], {
    stdio: 'ignore',
  });
  const measured = await run(seconds);
  await new Promise((r) => recorder.once('exit', r));
  const report = (sort: string, extra: string[] = []) =>
    execFileSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', sort, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const byDso = report('dso', ['-g', 'none'])
    .split('\n')
    .filter((l) => /^\s+[\d.]+%/.test(l))
    .slice(0, 12);
  const bySym = report('sym', ['-g', 'none'])
    .split('\n')
    .filter((l) => /^\s+[\d.]+%/.test(l))
    .slice(0, 40);
  const kernel = byDso.filter((l) => /\[kernel/.test(l)).reduce((n, l) => n + Number(l.trim().split('%')[0]), 0);
  fs.writeFileSync(path.join(outDir, 'perf-symbols.txt'), report('sym', ['-g', 'none']));
  return [
    loadLine(measured),
    '',
    `Kernel share of the worker's samples: **${kernel.toFixed(1)} %**`,
    '',
    '## By object',
    '',
    '```',
    ...byDso,
    '```',
    '',
    '## Hottest symbols',
    '',
    '```',
    ...bySym,
    '```',
  ].join('\n');
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Self and inclusive time per function from a .cpuprofile, over the measured run only: the
 * samples of the last `seconds` before the worker was asked to stop (`stopMs` before the end),
 * so start-up and warm-up do not count.
 */
function summarizeCpuProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, stopMs: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url ? path.relative(REPO_ROOT, f.url.replace(/^file:\/\//, '')) : '';
    return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
  };
  const times: number[] = [];
  let t = 0;
  for (const dt of profile.timeDeltas) times.push((t += dt));
  const windowEnd = t - stopMs * 1000;
  const windowStart = windowEnd - seconds * 1e6;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (times[i]! < windowStart || times[i]! > windowEnd) return;
    const dt = profile.timeDeltas[i] ?? 0;
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
    if (key === '(idle)') return;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(cur);
      if (k === '(root)' || seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const busy = total - (self.get('(idle)') ?? 0);
  const pct = (v: number) => ((v / busy) * 100).toFixed(2);
  const selfRows = [...self.entries()]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40);
  const inclusiveRows = [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  return [
    `Measured window ${(total / 1e6).toFixed(1)} s; not idle ${((busy / total) * 100).toFixed(1)} %. Time, % of the non-idle samples.`,
    '',
    '## Self time',
    '',
    '| % | function |',
    '| ---: | --- |',
    ...selfRows.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
    '',
    '## Inclusive time (the function and what it called)',
    '',
    '| % | function |',
    '| ---: | --- |',
    ...inclusiveRows.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
  ].join('\n');
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const stop = () => void registry.stopAll().finally(() => process.exit(130));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main().then(
  () => process.exit(0),
  async (err) => {
    log(`bench:profile failed: ${(err as Error).stack ?? err}`);
    await registry.stopAll();
    process.exit(1);
  },
);
