import type { BenchOptions } from '../lib/bench-options.js';
import type { Log, SectionReport, TargetResult } from '../lib/bench-report.js';
import { formatNumber, markdownTable, oneLine } from '../lib/markdown-table.js';
import { processCpu } from '../lib/process-cpu.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { median } from '../lib/stats.js';
import { runWrk } from '../lib/wrk-run.js';
import { LARGE_BODIES } from '../lib/nginx-instance.js';

/** A proxy pinned to CPU 0, measured by the CPU time of its whole process tree. */
export interface ProxyUnderTest {
  name: string;
  url: string;
  pid: number;
  /** Set instead of url/pid when the proxy could not be started. */
  failure?: string;
}

export interface HttpSample {
  /** Which interleaved pass it belongs to, to pair proxies' runs for per-pass ratios. */
  pass: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  errors: number;
}

/** Samples by workload: a connection count (tiny responses) or a LARGE_BODIES path at 50 connections. */
type Samples = Record<number | string, HttpSample[]>;

const MAIN_CONNECTIONS = 50;
const BODY_PATHS = Object.keys(LARGE_BODIES);
const SIDE_CONNECTIONS = [10, 200];
const LOAD_CPU = 1;

/** One wrk run against a proxy, with the CPU the proxy tree spent during it. */
export async function sampleHttp(registry: ProcessRegistry, proxy: ProxyUnderTest, connections: number, seconds: number, pass: number): Promise<HttpSample> {
  const cpuBefore = processCpu(proxy.pid);
  const wrk = await runWrk(registry, proxy.url, connections, seconds, LOAD_CPU);
  const cpu = processCpu(proxy.pid) - cpuBefore;
  return {
    pass,
    requestsPerSecond: wrk.requestsPerSecond,
    p50: wrk.p50,
    p99: wrk.p99,
    cpuMicrosPerRequest: wrk.requests > 0 ? cpu / wrk.requests : NaN,
    errors: wrk.errors,
  };
}

/**
 * Single-core HTTP throughput: warm every proxy up, then interleaved passes (A B C A B C ...) at
 * 50 connections, then quicker interleaved passes at 10 and 200 connections.
 */
export async function measureHttpThroughput(
  registry: ProcessRegistry,
  proxies: ProxyUnderTest[],
  options: BenchOptions,
  log: Log,
): Promise<Map<string, Samples>> {
  const live = proxies.filter((p) => !p.failure);
  const results = new Map<string, Samples>(
    live.map((p) => [p.name, { [MAIN_CONNECTIONS]: [], 10: [], 200: [], ...Object.fromEntries(BODY_PATHS.map((b) => [b, []])) }]),
  );
  const run = async (proxy: ProxyUnderTest, connections: number, seconds: number, pass: number, bodyPath?: string) => {
    const what = bodyPath === undefined ? `c${connections}` : `${bodyPath} c${connections}`;
    try {
      const s = await sampleHttp(registry, bodyPath === undefined ? proxy : { ...proxy, url: new URL(bodyPath, proxy.url).href }, connections, seconds, pass);
      results.get(proxy.name)![bodyPath ?? connections]!.push(s);
      log(
        `  ${proxy.name} ${what}: ${formatNumber(s.requestsPerSecond)} req/s, p99 ${s.p99.toFixed(2)} ms, ${s.cpuMicrosPerRequest.toFixed(1)} µs CPU/req${s.errors ? `, ${s.errors} errors` : ''}`,
      );
    } catch (err) {
      log(`  ${proxy.name} ${what}: failed: ${(err as Error).message}`);
    }
  };
  for (const proxy of live) {
    log(`HTTP warm-up ${proxy.name} (${options.warmupSeconds} s)`);
    await runWrk(registry, proxy.url, MAIN_CONNECTIONS, options.warmupSeconds, LOAD_CPU).catch((err: Error) => log(`  warm-up failed: ${err.message}`));
  }
  for (let pass = 1; pass <= options.passes; pass++) {
    log(`HTTP c${MAIN_CONNECTIONS} pass ${pass}/${options.passes}`);
    for (const proxy of live) await run(proxy, MAIN_CONNECTIONS, options.httpSeconds, pass);
  }
  for (let pass = 1; pass <= options.passes; pass++) {
    log(`HTTP c10/c200 pass ${pass}/${options.passes}`);
    for (const connections of SIDE_CONNECTIONS) for (const proxy of live) await run(proxy, connections, options.sideSeconds, pass);
  }
  for (let pass = 1; pass <= options.passes; pass++) {
    log(`HTTP larger responses pass ${pass}/${options.passes}`);
    for (const bodyPath of BODY_PATHS) for (const proxy of live) await run(proxy, MAIN_CONNECTIONS, options.sideSeconds, pass, bodyPath);
  }
  return results;
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
  errors: number;
  passes: number[];
}

function summarize(samples: HttpSample[] | undefined): Summary | undefined {
  if (!samples?.length) return undefined;
  return {
    rps: median(samples.map((s) => s.requestsPerSecond)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpu: median(samples.map((s) => s.cpuMicrosPerRequest)),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    passes: samples.map((s) => s.requestsPerSecond),
  };
}

/** Renders the HTTP tables and judges the Sluice targets (÷ plain Node ≥ 1.5, p99 no worse). */
export function reportHttpThroughput(
  proxies: ProxyUnderTest[],
  results: Map<string, Samples>,
  names: { nginx: string; node: string; sluice: string; baseline?: string },
): SectionReport {
  const main = (name: string) => summarize(results.get(name)?.[MAIN_CONNECTIONS]);
  const nginx = main(names.nginx);
  const rows = proxies.map((proxy) => {
    const s = main(proxy.name);
    if (!s) return [proxy.name, proxy.failure ? `not run: ${oneLine(proxy.failure)}` : 'no valid run', '', '', '', '', '', ''];
    return [
      proxy.name,
      formatNumber(s.rps),
      nginx ? (s.rps / nginx.rps).toFixed(2) : '–',
      s.p50.toFixed(2),
      s.p99.toFixed(2),
      formatNumber(s.cpu, 1),
      s.passes.map((r) => formatNumber(r)).join(' / '),
      String(s.errors),
    ];
  });
  const side = proxies.map((proxy) => {
    const c10 = summarize(results.get(proxy.name)?.[10]);
    const c200 = summarize(results.get(proxy.name)?.[200]);
    return [
      proxy.name,
      formatNumber(c10?.rps),
      c10 ? c10.p99.toFixed(2) : '–',
      formatNumber(c10?.cpu, 1),
      formatNumber(c200?.rps),
      c200 ? c200.p99.toFixed(2) : '–',
      formatNumber(c200?.cpu, 1),
    ];
  });

  const sluice = main(names.sluice);
  const node = main(names.node);
  const lines: string[] = [];
  const targets: TargetResult[] = [];
  /** Median of Sluice's per-pass ratios to `other` for a workload: interleaved passes share the drift. */
  const perPassRatio = (other: string, workload: number | string): number | undefined => {
    const mine = results.get(names.sluice)?.[workload] ?? [];
    const theirs = results.get(other)?.[workload] ?? [];
    const ratios = mine.flatMap((s) => {
      const t = theirs.find((r) => r.pass === s.pass);
      return t ? [s.requestsPerSecond / t.requestsPerSecond] : [];
    });
    return ratios.length ? median(ratios) : undefined;
  };
  if (sluice && node) {
    // Interleaved passes see the same background load, so the median of per-pass ratios is the
    // figure least moved by drift; the target is judged on it.
    const nodeRuns = results.get(names.node)![MAIN_CONNECTIONS]!;
    const perPass = results.get(names.sluice)![MAIN_CONNECTIONS]!.flatMap((s) => {
      const n = nodeRuns.find((r) => r.pass === s.pass);
      return n ? [s.requestsPerSecond / n.requestsPerSecond] : [];
    });
    const ratio = perPass.length ? median(perPass) : sluice.rps / node.rps;
    lines.push(
      `- Sluice ÷ plain Node: **${ratio.toFixed(2)}×** req/s (median of per-pass ratios ${perPass.map((r) => r.toFixed(2)).join(', ')}; ratio of medians ${(sluice.rps / node.rps).toFixed(2)}), p99 ${sluice.p99.toFixed(2)} vs ${node.p99.toFixed(2)} ms, CPU/req ${(sluice.cpu / node.cpu).toFixed(2)}×`,
    );
    targets.push({
      target: 'HTTP c50: Sluice ÷ plain Node req/s ≥ 1.5',
      result: `${ratio.toFixed(2)}× (CPU/req ${(node.cpu / sluice.cpu).toFixed(2)}× less)`,
      status: ratio >= 1.5 ? 'PASS' : 'FAIL',
    });
    targets.push({
      target: 'HTTP c50: Sluice p99 ≤ plain Node p99',
      result: `${sluice.p99.toFixed(2)} ms vs ${node.p99.toFixed(2)} ms`,
      status: sluice.p99 <= node.p99 ? 'PASS' : 'FAIL',
    });
  } else {
    targets.push({ target: 'HTTP c50: Sluice ÷ plain Node req/s ≥ 1.5', result: 'Sluice or plain Node not measured', status: 'N/A' });
    targets.push({ target: 'HTTP c50: Sluice p99 ≤ plain Node p99', result: 'Sluice or plain Node not measured', status: 'N/A' });
  }
  if (sluice && nginx) {
    const ratio = perPassRatio(names.nginx, MAIN_CONNECTIONS) ?? sluice.rps / nginx.rps;
    const p99 = sluice.p99 / nginx.p99;
    lines.push(
      `- Sluice ÷ nginx: **${ratio.toFixed(2)}×** req/s (median of per-pass ratios), p99 ${p99.toFixed(2)}× nginx's, CPU/req ${(sluice.cpu / nginx.cpu).toFixed(2)}× nginx's`,
    );
    targets.push({ target: 'HTTP keep-alive c50: Sluice ÷ nginx req/s ≥ 0.6', result: `${ratio.toFixed(2)}×`, status: ratio >= 0.6 ? 'PASS' : 'FAIL' });
    targets.push({
      target: "HTTP keep-alive c50: Sluice p99 ≤ 1.5× nginx's",
      result: `${sluice.p99.toFixed(2)} vs ${nginx.p99.toFixed(2)} ms (${p99.toFixed(2)}×)`,
      status: p99 <= 1.5 ? 'PASS' : 'FAIL',
    });
  }
  const bodyRows: string[][] = [];
  for (const bodyPath of BODY_PATHS) {
    const n = summarize(results.get(names.nginx)?.[bodyPath]);
    for (const proxy of proxies) {
      const s = summarize(results.get(proxy.name)?.[bodyPath]);
      if (s)
        bodyRows.push([
          `${bodyPath} (${LARGE_BODIES[bodyPath]! / 1024} KiB)`,
          proxy.name,
          formatNumber(s.rps),
          n ? (s.rps / n.rps).toFixed(2) : '–',
          s.p99.toFixed(2),
          formatNumber(s.cpu, 1),
          String(s.errors),
        ]);
    }
    const ratio = perPassRatio(names.nginx, bodyPath);
    // A run with errors (non-2xx or socket errors) measured something else than the body.
    const errors = (summarize(results.get(names.sluice)?.[bodyPath])?.errors ?? 0) + (n?.errors ?? 0);
    targets.push({
      target: `HTTP ${bodyPath} responses c50: Sluice ÷ nginx req/s ≥ 0.7`,
      result: ratio === undefined ? 'not measured' : errors > 0 ? `${ratio.toFixed(2)}×, but ${errors} errors: not a valid figure` : `${ratio.toFixed(2)}×`,
      status: ratio === undefined ? 'N/A' : errors > 0 ? 'FAIL' : ratio >= 0.7 ? 'PASS' : 'FAIL',
    });
  }
  if (node && nginx) lines.push(`- plain Node ÷ nginx: ${(node.rps / nginx.rps).toFixed(2)}× req/s`);
  const baseline = names.baseline === undefined ? undefined : main(names.baseline);
  if (sluice && baseline) {
    // Before and after a change, in the same run: per-pass ratios, as for the plain Node peer.
    const base = results.get(names.baseline!)![MAIN_CONNECTIONS]!;
    const perPass = results.get(names.sluice)![MAIN_CONNECTIONS]!.flatMap((s) => {
      const b = base.find((r) => r.pass === s.pass);
      return b ? [s.requestsPerSecond / b.requestsPerSecond] : [];
    });
    const ratio = perPass.length ? median(perPass) : sluice.rps / baseline.rps;
    lines.push(
      `- Sluice ÷ baseline (${names.baseline}): **${ratio.toFixed(3)}×** req/s (per pass ${perPass.map((r) => r.toFixed(3)).join(', ')}), p99 ${sluice.p99.toFixed(2)} vs ${baseline.p99.toFixed(2)} ms, CPU/req ${sluice.cpu.toFixed(1)} vs ${baseline.cpu.toFixed(1)} µs`,
    );
    targets.push({ target: 'HTTP c50: Sluice ÷ baseline req/s (same run)', result: `${ratio.toFixed(3)}×`, status: 'INFO' });
  }

  const markdown = [
    `### (a) HTTP proxy, one core (proxy on CPU 0, upstream nginx and wrk on CPU 1), ${MAIN_CONNECTIONS} connections, medians`,
    '',
    markdownTable(['proxy', 'req/s', '÷ nginx', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s per pass', 'errors'], rows),
    '',
    ...lines,
    '',
    '#### 10 and 200 connections (shorter runs, medians)',
    '',
    markdownTable(['proxy', 'c10 req/s', 'c10 p99 ms', 'c10 CPU µs/req', 'c200 req/s', 'c200 p99 ms', 'c200 CPU µs/req'], side),
    '',
    '#### Larger responses, 50 connections (shorter runs, medians)',
    '',
    markdownTable(['response', 'proxy', 'req/s', '÷ nginx', 'p99 ms', 'CPU µs/req', 'errors'], bodyRows),
  ].join('\n');
  return { markdown, targets };
}
