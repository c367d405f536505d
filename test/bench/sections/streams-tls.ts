import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Etcd3 } from 'etcd3';
import { freePort, waitFor } from '../../helpers/ports.js';
import { prefixRoute, putDocument, upstreamDocument } from '../lib/bench-documents.js';
import type { BenchOptions } from '../lib/bench-options.js';
import type { Log, SectionReport, TargetResult } from '../lib/bench-report.js';
import { formatNumber, markdownTable, oneLine } from '../lib/markdown-table.js';
import { NGINX_STREAM_MODULE, startNginxStreamTls, tcpOpen } from '../lib/nginx-stream-instance.js';
import { processCpu } from '../lib/process-cpu.js';
import type { BenchProcess, ProcessRegistry } from '../lib/process-registry.js';
import { REPO_ROOT, startSluiceDataPlane } from '../lib/sluice-processes.js';
import { median } from '../lib/stats.js';
import { makeCertificate, runH2load, runStreamLoad } from '../lib/tls-load.js';
import { runWrk } from '../lib/wrk-run.js';

const PROGRAMS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../programs');
const PROXY_CPU = 0;
const LOAD_CPU = 1;
const NGINX = 'nginx 1 worker (stream / ssl)';
const NODE = 'minimal Node pipe';
const SLUICE = 'Sluice, 1 worker';

export interface StreamsTlsContext {
  registry: ProcessRegistry;
  etcd: Etcd3;
  etcdEndpoint: string;
  prefix: string;
  /** The nginx HTTP upstream (answers 200 with a 64-byte body) behind the HTTPS proxies. */
  httpUpstreamPort: number;
  workDir: string;
  /** BENCH_BASELINE: another built checkout whose data plane runs the TLS rows interleaved with this one's. */
  baseline?: { dir: string; name: string };
}

type Kind = 'tcp-bulk' | 'tcp-rtt' | 'udp' | 'tls-handshake' | 'tls-handshake-rsa' | 'tls-resume' | 'https' | 'h2';
interface Workload {
  kind: Kind;
  title: string;
  unit: string;
  connections: number;
  /** Judged against nginx: `stream` rows on rate ≥ 0.9× and CPU/op ≤ 1.5×; the others on rate ≥ `minRatio`. */
  judged: 'stream' | { minRatio: number };
}
const WORKLOADS: Workload[] = [
  { kind: 'tcp-bulk', title: 'TCP bulk download, 1 connection', unit: 'MB/s', connections: 1, judged: 'stream' },
  { kind: 'tcp-rtt', title: 'TCP 32-byte round trips, 50 connections, closed loop', unit: 'round trips/s', connections: 50, judged: 'stream' },
  { kind: 'udp', title: 'UDP 32-byte echo, 50 clients, closed loop', unit: 'echoes/s', connections: 50, judged: 'stream' },
  {
    kind: 'tls-handshake',
    title: 'TLS full handshakes (ECDSA P-256), 8 loops, new connection each',
    unit: 'handshakes/s',
    connections: 8,
    judged: { minRatio: 0.9 },
  },
  {
    kind: 'tls-handshake-rsa',
    title: 'TLS full handshakes (RSA 2048), 8 loops, new connection each',
    unit: 'handshakes/s',
    connections: 8,
    judged: { minRatio: 0.9 },
  },
  {
    kind: 'tls-resume',
    title: 'TLS resumed handshakes (TLS 1.3 session tickets), 8 loops, each offering the last ticket',
    unit: 'handshakes/s',
    connections: 8,
    judged: { minRatio: 0.9 },
  },
  { kind: 'https', title: 'HTTPS keep-alive GET through the proxy (wrk, 50 connections)', unit: 'req/s', connections: 50, judged: { minRatio: 0.7 } },
  { kind: 'h2', title: 'HTTP/2 over TLS GET through the proxy (h2load -c 50 -m 10)', unit: 'req/s', connections: 50, judged: { minRatio: 0.5 } },
];

/** Kinds served by the HTTPS listener (rather than a stream port). */
const TLS_KINDS = new Set<Kind>(['tls-handshake', 'tls-handshake-rsa', 'tls-resume', 'https', 'h2']);

/** A proxy under test: where each workload goes, and whose CPU to count. */
interface Subject {
  name: string;
  pidFor(kind: Kind): number | undefined;
  portFor(kind: Kind): number | undefined;
  failure?: string;
}

interface Sample {
  pass: number;
  rate: number;
  cpuPerOp: number;
  errors: number;
}

/**
 * (f) Streams and TLS, side by side with nginx's `stream` and `ssl` proxies (issue 6): TCP bulk
 * MB/s, TCP round trips/s, UDP echoes/s, TLS handshakes/s and HTTPS req/s. Proxies on CPU 0,
 * upstreams and load programs on CPU 1; interleaved passes, medians, CPU µs per operation from
 * /proc. Without nginx's stream module the TCP/UDP rows compare against a minimal Node pipe.
 */
export async function measureStreamsTls(ctx: StreamsTlsContext, options: BenchOptions, log: Log): Promise<SectionReport> {
  const { registry } = ctx;
  const seconds = options.quick ? 1 : 2;
  const started: BenchProcess[] = [];
  try {
    log('(f) starting stream upstreams, nginx stream/ssl, the Node pipes and Sluice');
    const upstreams = registry.spawn('stream upstreams', process.execPath, ['--import', 'tsx', path.join(PROGRAMS, 'stream-upstreams.ts')], {
      cpu: LOAD_CPU,
      cwd: REPO_ROOT,
    });
    started.push(upstreams);
    const line = await upstreams.waitForLine(/^\{"tcpEcho":(\d+),"tcpSource":(\d+),"udpEcho":(\d+)\}$/, 20_000);
    const up = { tcpEcho: Number(line[1]), tcpSource: Number(line[2]), udpEcho: Number(line[3]) };
    const cert = makeCertificate(ctx.workDir, 'ec');
    const rsa = makeCertificate(ctx.workDir, 'rsa');

    const hasStreamModule = fs.existsSync(NGINX_STREAM_MODULE);
    const nginxPorts = { tcpEcho: await freePort(), tcpSource: await freePort(), udpEcho: await freePort(), https: await freePort() };
    let nginx: Subject;
    try {
      const proc = await startNginxStreamTls(registry, path.join(ctx.workDir, 'nginx-stream'), PROXY_CPU, {
        stream: hasStreamModule ? { ...nginxPorts, upstreams: up } : undefined,
        https: { port: nginxPorts.https, upstream: ctx.httpUpstreamPort, ...cert, rsaCert: rsa.cert, rsaKey: rsa.key },
      });
      started.push(proc);
      nginx = subject(NGINX, proc.pid, (kind) => (TLS_KINDS.has(kind) ? nginxPorts.https : hasStreamModule ? portOf(kind, nginxPorts) : undefined));
      if (!hasStreamModule) nginx.failure = `nginx's stream module is not installed (${NGINX_STREAM_MODULE}; Debian package libnginx-mod-stream)`;
    } catch (err) {
      nginx = { name: NGINX, pidFor: () => undefined, portFor: () => undefined, failure: (err as Error).message };
    }

    const pipes = new Map<Kind, { pid: number; port: number }>();
    for (const [kind, mode, upstreamPort] of [
      ['tcp-bulk', 'tcp', up.tcpSource],
      ['tcp-rtt', 'tcp', up.tcpEcho],
      ['udp', 'udp', up.udpEcho],
    ] as const) {
      const proc = registry.spawn(
        `node ${mode} pipe`,
        process.execPath,
        ['--import', 'tsx', path.join(PROGRAMS, 'node-stream-pipe.ts'), mode, String(upstreamPort)],
        { cpu: PROXY_CPU, cwd: REPO_ROOT },
      );
      started.push(proc);
      pipes.set(kind, { pid: proc.pid, port: Number((await proc.waitForLine(/^\{"port":(\d+)\}$/, 20_000))[1]) });
    }
    const node: Subject = { name: NODE, pidFor: (k) => pipes.get(k)?.pid, portFor: (k) => pipes.get(k)?.port };

    const sluicePorts = { tcpEcho: await freePort(), tcpSource: await freePort(), udpEcho: await freePort() };
    const node1 = (port: number) => ({ nodes: [{ host: '127.0.0.1', port, weight: 1 }] });
    await putDocument(ctx.etcd, ctx.prefix, 'ssls', {
      id: 'bench',
      snis: ['*'],
      cert: fs.readFileSync(cert.cert, 'utf8'),
      key: fs.readFileSync(cert.key, 'utf8'),
    });
    await putDocument(ctx.etcd, ctx.prefix, 'ssls', {
      id: 'bench-rsa',
      snis: ['rsa.bench.test'],
      cert: fs.readFileSync(rsa.cert, 'utf8'),
      key: fs.readFileSync(rsa.key, 'utf8'),
    });
    await putDocument(ctx.etcd, ctx.prefix, 'stream-routes', { id: 'tcp-echo', protocol: 'tcp', listenPort: sluicePorts.tcpEcho, upstream: node1(up.tcpEcho) });
    await putDocument(ctx.etcd, ctx.prefix, 'stream-routes', {
      id: 'tcp-source',
      protocol: 'tcp',
      listenPort: sluicePorts.tcpSource,
      upstream: node1(up.tcpSource),
    });
    await putDocument(ctx.etcd, ctx.prefix, 'stream-routes', { id: 'udp-echo', protocol: 'udp', listenPort: sluicePorts.udpEcho, upstream: node1(up.udpEcho) });
    let sluice: Subject;
    try {
      const dp = await startSluiceDataPlane(registry, {
        etcd: ctx.etcdEndpoint,
        prefix: ctx.prefix,
        workers: 1,
        cpu: PROXY_CPU,
        readyPath: '/',
        dataDir: path.join(ctx.workDir, 'sluice-f'),
      });
      started.push(dp.proc);
      await waitFor(async () => (await tcpOpen(sluicePorts.tcpEcho)) && (await tcpOpen(sluicePorts.tcpSource)), 10_000, 'Sluice stream ports');
      sluice = subject(SLUICE, dp.proc.pid, (kind) => (TLS_KINDS.has(kind) ? dp.httpsPort : portOf(kind, sluicePorts)));
    } catch (err) {
      sluice = { name: SLUICE, pidFor: () => undefined, portFor: () => undefined, failure: (err as Error).message };
    }

    const subjects = [nginx, node, sluice];
    const baselinePrefix = `${ctx.prefix}-baseline`;
    if (ctx.baseline !== undefined) {
      // The baseline serves the TLS rows only, from its own prefix: the stream ports are this data plane's.
      await putDocument(ctx.etcd, baselinePrefix, 'upstreams', upstreamDocument('u1', ctx.httpUpstreamPort));
      await putDocument(ctx.etcd, baselinePrefix, 'routes', prefixRoute('r1', '/', 'u1'));
      await putDocument(ctx.etcd, baselinePrefix, 'ssls', {
        id: 'bench',
        snis: ['*'],
        cert: fs.readFileSync(cert.cert, 'utf8'),
        key: fs.readFileSync(cert.key, 'utf8'),
      });
      await putDocument(ctx.etcd, baselinePrefix, 'ssls', {
        id: 'bench-rsa',
        snis: ['rsa.bench.test'],
        cert: fs.readFileSync(rsa.cert, 'utf8'),
        key: fs.readFileSync(rsa.key, 'utf8'),
      });
      try {
        const dp = await startSluiceDataPlane(registry, {
          etcd: ctx.etcdEndpoint,
          prefix: baselinePrefix,
          workers: 1,
          cpu: PROXY_CPU,
          readyPath: '/',
          dataDir: path.join(ctx.workDir, 'sluice-f-baseline'),
          checkout: ctx.baseline.dir,
          label: 'sluice baseline data-plane (f)',
        });
        started.push(dp.proc);
        subjects.push(subject(ctx.baseline.name, dp.proc.pid, (kind) => (TLS_KINDS.has(kind) ? dp.httpsPort : undefined)));
      } catch (err) {
        subjects.push({ name: ctx.baseline.name, pidFor: () => undefined, portFor: () => undefined, failure: (err as Error).message });
      }
    }
    const results = new Map<string, Sample[]>();
    log('(f) warm-up');
    for (const s of subjects) for (const w of WORKLOADS) if (s.portFor(w.kind)) await measure(ctx, s, w, 1, 0).catch(() => undefined);
    for (let pass = 1; pass <= options.passes; pass++) {
      log(`(f) pass ${pass}/${options.passes}`);
      for (const w of WORKLOADS) {
        for (const s of subjects) {
          if (!s.portFor(w.kind)) continue;
          try {
            const sample = await measure(ctx, s, w, seconds, pass);
            const list = results.get(`${w.kind}|${s.name}`) ?? [];
            list.push(sample);
            results.set(`${w.kind}|${s.name}`, list);
            log(
              `  ${w.kind} ${s.name}: ${formatNumber(sample.rate, w.kind === 'tcp-bulk' ? 0 : 0)} ${w.unit}, ${sample.cpuPerOp.toFixed(w.kind === 'tcp-bulk' ? 0 : 1)} µs CPU/op${sample.errors ? `, ${sample.errors} errors` : ''}`,
            );
          } catch (err) {
            log(`  ${w.kind} ${s.name}: failed: ${oneLine((err as Error).message)}`);
          }
        }
      }
    }
    return report(subjects, results, options, seconds);
  } finally {
    for (const proc of started.reverse()) await registry.stop(proc);
    // Later sections share the prefix: leave it as it was.
    for (const key of ['ssls/bench', 'ssls/bench-rsa', 'stream-routes/tcp-echo', 'stream-routes/tcp-source', 'stream-routes/udp-echo']) {
      await ctx.etcd
        .delete()
        .key(`${ctx.prefix}/${key}`)
        .catch(() => undefined);
    }
    if (ctx.baseline !== undefined)
      await ctx.etcd
        .delete()
        .prefix(`${ctx.prefix}-baseline/`)
        .catch(() => undefined);
  }
}

function subject(name: string, pid: number, portFor: (kind: Kind) => number | undefined): Subject {
  return { name, pidFor: () => pid, portFor };
}

function portOf(kind: Kind, ports: { tcpEcho: number; tcpSource: number; udpEcho: number }): number | undefined {
  return kind === 'tcp-bulk' ? ports.tcpSource : kind === 'tcp-rtt' ? ports.tcpEcho : kind === 'udp' ? ports.udpEcho : undefined;
}

/** One timed run of a workload against a subject, with the subject's CPU time over it. */
async function measure(ctx: StreamsTlsContext, s: Subject, w: Workload, seconds: number, pass: number): Promise<Sample> {
  const port = s.portFor(w.kind)!;
  const pid = s.pidFor(w.kind)!;
  const cpuBefore = processCpu(pid);
  let ops: number;
  let elapsed: number;
  let errors: number;
  if (w.kind === 'https') {
    const run = await runWrk(ctx.registry, `https://127.0.0.1:${port}/`, w.connections, seconds, LOAD_CPU);
    [ops, elapsed, errors] = [run.requests, run.seconds, run.errors];
  } else if (w.kind === 'h2') {
    const run = await runH2load(ctx.registry, `https://127.0.0.1:${port}/`, w.connections, 10, seconds, LOAD_CPU);
    [ops, elapsed, errors] = [run.requests, run.seconds, run.errors];
  } else {
    const mode = w.kind === 'tls-handshake-rsa' ? 'tls-handshake' : w.kind;
    const serverName = w.kind === 'tls-handshake-rsa' ? 'rsa.bench.test' : 'bench.test';
    const run = await runStreamLoad(ctx.registry, mode, port, w.connections, seconds, serverName, LOAD_CPU);
    // Bulk is counted in MB (10^6 bytes): CPU per op is then µs per MB.
    [ops, elapsed, errors] = [w.kind === 'tcp-bulk' ? run.bytes / 1e6 : run.ops, run.seconds, run.errors];
  }
  const cpu = processCpu(pid) - cpuBefore;
  if (ops <= 0) throw new Error('no operation completed');
  return { pass, rate: ops / elapsed, cpuPerOp: cpu / ops, errors };
}

function report(subjects: Subject[], results: Map<string, Sample[]>, options: BenchOptions, seconds: number): SectionReport {
  const baseline = subjects.find((s) => s.name !== NGINX && s.name !== NODE && s.name !== SLUICE);
  const rows: string[][] = [];
  const targets: TargetResult[] = [];
  const lines: string[] = [];
  const summary = (kind: Kind, name: string) => {
    const samples = results.get(`${kind}|${name}`);
    if (!samples?.length) return undefined;
    return {
      samples,
      rate: median(samples.map((x) => x.rate)),
      cpu: median(samples.map((x) => x.cpuPerOp)),
      errors: samples.reduce((n, x) => n + x.errors, 0),
    };
  };
  for (const w of WORKLOADS) {
    const nginx = summary(w.kind, NGINX);
    for (const s of subjects) {
      if ((s.name === NODE || s === baseline) && !s.portFor(w.kind)) continue;
      const r = summary(w.kind, s.name);
      if (!r) {
        rows.push([w.kind, s.name, s.failure ? `not run: ${oneLine(s.failure, 120)}` : 'no valid run', '', '', '', '', '']);
        continue;
      }
      const digits = w.kind === 'tcp-bulk' ? 0 : 1;
      rows.push([
        w.kind,
        s.name,
        `${formatNumber(r.rate)} ${w.unit}`,
        nginx ? (r.rate / nginx.rate).toFixed(2) : '–',
        formatNumber(r.cpu, digits),
        nginx ? (r.cpu / nginx.cpu).toFixed(2) : '–',
        r.samples.map((x) => formatNumber(x.rate)).join(' / '),
        String(r.errors),
      ]);
    }
    const sluice = summary(w.kind, SLUICE);
    const reference = nginx
      ? { name: 'nginx', r: nginx }
      : w.judged === 'stream'
        ? (() => {
            const n = summary(w.kind, NODE);
            return n ? { name: 'the Node pipe', r: n } : undefined;
          })()
        : undefined;
    if (!sluice || !reference) {
      targets.push({
        target: `${w.kind}: Sluice ÷ nginx rate ≥ ${w.judged === 'stream' ? '0.9, CPU/op ≤ 1.5×' : w.judged.minRatio}`,
        result: 'Sluice or nginx not measured',
        status: 'N/A',
      });
      continue;
    }
    const perPass = sluice.samples.flatMap((x) => {
      const n = reference.r.samples.find((y) => y.pass === x.pass);
      return n ? [x.rate / n.rate] : [];
    });
    const rateRatio = perPass.length ? median(perPass) : sluice.rate / reference.r.rate;
    const cpuRatio = sluice.cpu / reference.r.cpu;
    lines.push(`- ${w.kind}: Sluice ÷ ${reference.name} **${rateRatio.toFixed(2)}×** ${w.unit}, CPU/op **${cpuRatio.toFixed(2)}×**`);
    const before = baseline === undefined ? undefined : summary(w.kind, baseline.name);
    if (before !== undefined) {
      const perPassBase = sluice.samples.flatMap((x) => {
        const b = before.samples.find((y) => y.pass === x.pass);
        return b ? [x.rate / b.rate] : [];
      });
      const vsBase = perPassBase.length ? median(perPassBase) : sluice.rate / before.rate;
      lines.push(
        `  - Sluice ÷ ${baseline!.name}: **${vsBase.toFixed(3)}×** ${w.unit} (per pass ${perPassBase.map((x) => x.toFixed(3)).join(', ')}), CPU/op ${formatNumber(sluice.cpu, 1)} vs ${formatNumber(before.cpu, 1)} µs`,
      );
    }
    if (w.judged !== 'stream') {
      const min = w.judged.minRatio;
      targets.push({
        target: `${w.kind}: Sluice ÷ nginx ${w.unit} ≥ ${min}`,
        result: `${rateRatio.toFixed(2)}× (CPU/op ${cpuRatio.toFixed(2)}×)`,
        status: rateRatio >= min ? 'PASS' : 'FAIL',
      });
    } else if (reference.name === 'nginx') {
      targets.push({ target: `${w.kind}: Sluice ÷ nginx ${w.unit} ≥ 0.9`, result: `${rateRatio.toFixed(2)}×`, status: rateRatio >= 0.9 ? 'PASS' : 'FAIL' });
      targets.push({ target: `${w.kind}: Sluice CPU/op ≤ 1.5× nginx's`, result: `${cpuRatio.toFixed(2)}×`, status: cpuRatio <= 1.5 ? 'PASS' : 'FAIL' });
    } else {
      targets.push({
        target: `${w.kind}: Sluice ÷ nginx ≥ 0.9, CPU/op ≤ 1.5× (nginx stream module missing)`,
        result: `vs Node pipe: ${rateRatio.toFixed(2)}× rate, ${cpuRatio.toFixed(2)}× CPU/op`,
        status: 'N/A',
      });
    }
  }
  const markdown = [
    `### (f) Streams and TLS, ${seconds} s per run (proxy on CPU 0; upstreams and load on CPU 1), medians of ${options.passes} pass(es)`,
    '',
    WORKLOADS.map((w) => `- **${w.kind}**: ${w.title}`).join('\n'),
    "- CPU µs/op: the proxy process tree's CPU ÷ operations (µs per MB for tcp-bulk). WebSocket echo msgs/s vs nginx: section (b).",
    '',
    markdownTable(['workload', 'proxy', 'rate', '÷ nginx', 'CPU µs/op', 'CPU ÷ nginx', 'rate per pass', 'errors'], rows),
    '',
    ...lines,
  ].join('\n');
  return { markdown, targets };
}
