/**
 * `npm run bench:profile`: where a Sluice worker spends its time under the bench's HTTP load
 * (1 worker on CPU 0; nginx upstream and wrk on CPU 1; keep-alive, 50 connections), in one of
 * three ways, written as markdown (and the raw profile) under PROFILE_OUT:
 *
 *   PROFILE_MODE=cpu     V8's sampling profiler (--cpu-prof): self time per function
 *   PROFILE_MODE=strace  strace -c -f on the worker: system calls per request
 *   PROFILE_MODE=perf    perf record (cpu-clock) with --perf-basic-prof: kernel vs user share,
 *                        and the hottest symbols on both sides
 *
 * PROFILE_SECONDS (default 10), PROFILE_PATH (the request path, default /; /16k and /256k serve
 * larger bodies), PROFILE_OUT (default docs/performance/profiles/<mode>-<date>). Bounded in time,
 * loopback only, every process stopped by pid at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { prefixRoute, putDocument, upstreamDocument } from './lib/bench-documents.js';
import { startNginx, upstreamServerConfig } from './lib/nginx-instance.js';
import { processTree } from './lib/process-cpu.js';
import { ProcessRegistry } from './lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane } from './lib/sluice-processes.js';
import { runWrk } from './lib/wrk-run.js';

const PROXY_CPU = 0;
const LOAD_CPU = 1;
const PREFIX = '/bench-profile';
const mode = (process.env.PROFILE_MODE ?? 'cpu') as 'cpu' | 'strace' | 'perf';
const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const requestPath = process.env.PROFILE_PATH ?? '/';
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outDir = path.resolve(process.env.PROFILE_OUT ?? path.join(REPO_ROOT, 'docs/performance/profiles', `${mode}-${stamp}`));
if (!['cpu', 'strace', 'perf'].includes(mode)) throw new Error(`PROFILE_MODE must be cpu, strace or perf, got ${mode}`);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120) throw new Error(`PROFILE_SECONDS must be 1..120, got ${process.env.PROFILE_SECONDS}`);

const registry = new ProcessRegistry();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-profile-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    const upstreamPort = await freePort();
    await startNginx(registry, 'nginx upstream', path.join(workDir, 'nginx-upstream'), LOAD_CPU, upstreamServerConfig(upstreamPort), upstreamPort);
    await putDocument(client, PREFIX, 'upstreams', upstreamDocument('u1', upstreamPort));
    await putDocument(client, PREFIX, 'routes', prefixRoute('r1', '/', 'u1'));
    const nodeOptions = mode === 'cpu' ? `--cpu-prof --cpu-prof-dir=${workDir}/cpu` : mode === 'perf' ? '--perf-basic-prof' : '';
    process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ');
    const dp = await startSluiceDataPlane(registry, { etcd: etcd.endpoint, prefix: PREFIX, workers: 1, cpu: PROXY_CPU, readyPath: '/', dataDir: path.join(workDir, 'dp') });
    const url = `http://127.0.0.1:${dp.httpPort}${requestPath}`;
    const worker = processTree(dp.proc.pid).find((pid) => pid !== dp.proc.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker-main'));
    if (worker === undefined) throw new Error('the data-plane worker process was not found');
    log(`worker pid ${worker}; warm-up 3 s`);
    await runWrk(registry, url, 50, 3, LOAD_CPU);

    let report: string;
    if (mode === 'strace') report = await straceRun(worker, url);
    else if (mode === 'perf') report = await perfRun(worker, url);
    else {
      const wrk = await runWrk(registry, url, 50, seconds, LOAD_CPU);
      await registry.stop(dp.proc, 15_000);
      const file = fs.readdirSync(path.join(workDir, 'cpu')).map((f) => path.join(workDir, 'cpu', f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      fs.copyFileSync(file, path.join(outDir, 'worker.cpuprofile'));
      report = `${wrkLine(wrk)}\n\n${summarizeCpuProfile(JSON.parse(fs.readFileSync(file, 'utf8')))}`;
    }
    const header = `# ${mode} profile of one Sluice worker under HTTP load\n\n- ${new Date().toISOString()}, git ${gitRevision()}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})\n- wrk -t1 -c50 -d${seconds}s ${requestPath} against 1 worker on CPU 0; nginx upstream (64-byte body) and wrk on CPU 1\n- command: \`PROFILE_MODE=${mode} PROFILE_SECONDS=${seconds}${requestPath !== '/' ? ` PROFILE_PATH=${requestPath}` : ''} npm run bench:profile\`\n`;
    fs.writeFileSync(path.join(outDir, 'summary.md'), `${header}\n${report}\n`);
    log(`written: ${path.relative(REPO_ROOT, outDir)}/summary.md`);
  } finally {
    await registry.stopAll();
    client.close();
    await etcd.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function wrkLine(w: { requests: number; requestsPerSecond: number; p99: number; errors: number }): string {
  return `wrk: ${w.requests} requests, ${Math.round(w.requestsPerSecond)} req/s, p99 ${w.p99.toFixed(2)} ms, ${w.errors} errors`;
}

/** strace slows every system call: its rates are not throughput figures, its counts per request are. */
async function straceRun(worker: number, url: string): Promise<string> {
  const file = path.join(outDir, 'strace.txt');
  const tracer = spawn('strace', ['-c', '-f', '-p', String(worker), '-o', file], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const wrk = await runWrk(registry, url, 50, seconds, LOAD_CPU);
  tracer.kill('SIGINT');
  await new Promise((r) => tracer.once('exit', r));
  const text = fs.readFileSync(file, 'utf8');
  const rows = text.split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+/.test(l));
  const perRequest = rows.map((l) => {
    const cols = l.trim().split(/\s+/);
    const calls = Number(cols[3]);
    return `| ${cols.at(-1)} | ${calls} | ${(calls / wrk.requests).toFixed(2)} | ${cols[0]} |`;
  });
  const total = rows.reduce((n, l) => n + Number(l.trim().split(/\s+/)[3]), 0);
  return [
    wrkLine(wrk) + ' (under strace: slowed)',
    '',
    `System calls per request: **${(total / wrk.requests).toFixed(2)}**`,
    '',
    '| syscall | calls | per request | % time |',
    '| --- | ---: | ---: | ---: |',
    ...perRequest,
    '',
    '```',
    text.trim(),
    '```',
  ].join('\n');
}

async function perfRun(worker: number, url: string): Promise<string> {
  const data = path.join(workDir, 'perf.data');
  const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(worker), '-o', data, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
  const wrk = await runWrk(registry, url, 50, seconds, LOAD_CPU);
  await new Promise((r) => recorder.once('exit', r));
  const report = (sort: string, extra: string[] = []) => execFileSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', sort, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const byDso = report('dso', ['-g', 'none']).split('\n').filter((l) => /^\s+[\d.]+%/.test(l)).slice(0, 12);
  const bySym = report('sym', ['-g', 'none']).split('\n').filter((l) => /^\s+[\d.]+%/.test(l)).slice(0, 40);
  const kernel = byDso.filter((l) => /\[kernel/.test(l)).reduce((n, l) => n + Number(l.trim().split('%')[0]), 0);
  fs.writeFileSync(path.join(outDir, 'perf-symbols.txt'), report('sym', ['-g', 'none']));
  return [wrkLine(wrk), '', `Kernel share of the worker's samples: **${kernel.toFixed(1)} %**`, '', '## By object', '', '```', ...byDso, '```', '', '## Hottest symbols', '', '```', ...bySym, '```'].join('\n');
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function from a .cpuprofile: the top 40, and the share of idle, GC and program. */
function summarizeCpuProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    const file = f.url ? path.relative(REPO_ROOT, f.url.replace(/^file:\/\//, '')) : '';
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const busy = total - (self.get('(idle)') ?? 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  return [
    `Sampled ${(total / 1e6).toFixed(1)} s; not idle ${((busy / total) * 100).toFixed(1)} %. Self time, % of the non-idle samples:`,
    '',
    '| % | function |',
    '| ---: | --- |',
    ...rows.filter(([k]) => k !== '(idle)').map(([k, v]) => `| ${((v / busy) * 100).toFixed(2)} | \`${k}\` |`),
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
