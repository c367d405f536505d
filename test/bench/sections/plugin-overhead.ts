import type { Etcd3 } from 'etcd3';
import type { Route } from '@sluice/model';
import type { BenchOptions } from '../lib/bench-options.js';
import { prefixRoute, putDocument } from '../lib/bench-documents.js';
import type { Log, SectionReport } from '../lib/bench-report.js';
import { formatNumber, markdownTable } from '../lib/markdown-table.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { median } from '../lib/stats.js';
import { sampleHttp, type HttpSample, type ProxyUnderTest } from './http-throughput.js';

const CONNECTIONS = 50;
/** With key-auth, limit-count, cors and proxy-rewrite: at least 0.92× the bare route's throughput. */
const TARGET_MAX_LOSS = 0.08;
const API_KEY = 'bench-key';

export interface PluginOverheadContext {
  registry: ProcessRegistry;
  etcd: Etcd3;
  prefix: string;
  upstreamId: string;
  /** The running 1-worker Sluice (pinned to the proxy CPU). */
  sluice: { port: number; pid: number };
}

/** The issue's plugin set: authentication, a local rate limit that never trips, CORS, a rewrite (metrics are always on). */
function pluggedRoute(upstreamId: string): Route {
  return {
    ...prefixRoute('plugged', '/plugged', upstreamId),
    plugins: {
      'key-auth': { query: 'apikey' },
      'limit-count': { count: 1_000_000_000, timeWindow: 60 },
      cors: { allowOrigins: '*' },
      'proxy-rewrite': { uri: '/' },
    },
  };
}

/**
 * Plugin overhead: the same Sluice worker, the same upstream, one route without plugins and
 * one with key-auth + limit-count (local) + cors + proxy-rewrite, interleaved passes at 50
 * connections. Target: the plugged route loses at most 15 % of the bare route's throughput.
 */
export async function measurePluginOverhead(ctx: PluginOverheadContext, options: BenchOptions, log: Log): Promise<SectionReport> {
  await putDocument(ctx.etcd, ctx.prefix, 'consumers', { id: 'bench', username: 'bench', plugins: { 'key-auth': { key: API_KEY } } });
  await putDocument(ctx.etcd, ctx.prefix, 'routes', prefixRoute('bare', '/bare', ctx.upstreamId));
  await putDocument(ctx.etcd, ctx.prefix, 'routes', pluggedRoute(ctx.upstreamId));
  const base = `http://127.0.0.1:${ctx.sluice.port}`;
  const bare: ProxyUnderTest = { name: 'bare route', url: `${base}/bare`, pid: ctx.sluice.pid };
  const plugged: ProxyUnderTest = { name: 'route with plugins', url: `${base}/plugged?apikey=${API_KEY}`, pid: ctx.sluice.pid };
  for (const p of [bare, plugged]) {
    const deadline = Date.now() + 10_000;
    while (
      (await fetch(p.url).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > deadline) throw new Error(`${p.name} never answered 200`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const samples: Record<string, HttpSample[]> = { [bare.name]: [], [plugged.name]: [] };
  // Twice the passes at half the length, alternating which route goes first: the two routes
  // share one process, so pairing short adjacent runs cancels most of the machine's drift.
  const passes = options.passes * 2;
  const seconds = Math.max(2, Math.round(options.httpSeconds / 2));
  for (let pass = 1; pass <= passes; pass++) {
    for (const p of pass % 2 ? [bare, plugged] : [plugged, bare]) {
      const s = await sampleHttp(ctx.registry, p, CONNECTIONS, seconds, pass);
      samples[p.name].push(s);
      log(
        `  plugin overhead ${p.name}: ${formatNumber(s.requestsPerSecond)} req/s, ${s.cpuMicrosPerRequest.toFixed(1)} µs CPU/req${s.errors ? `, ${s.errors} errors` : ''}`,
      );
    }
  }
  const summary = (name: string) => ({
    rps: median(samples[name].map((s) => s.requestsPerSecond)),
    p99: median(samples[name].map((s) => s.p99)),
    cpu: median(samples[name].map((s) => s.cpuMicrosPerRequest)),
    errors: samples[name].reduce((n, s) => n + s.errors, 0),
  });
  const b = summary(bare.name);
  const w = summary(plugged.name);
  const perPass = samples[plugged.name].map((s, i) => s.requestsPerSecond / samples[bare.name][i].requestsPerSecond);
  const ratio = median(perPass);
  const table = markdownTable(
    ['route', 'req/s', 'p99 ms', 'CPU µs/req', 'errors'],
    [
      [bare.name, formatNumber(b.rps), b.p99.toFixed(2), b.cpu.toFixed(1), String(b.errors)],
      [
        `${plugged.name} (key-auth, limit-count local, cors, proxy-rewrite, metrics)`,
        formatNumber(w.rps),
        w.p99.toFixed(2),
        w.cpu.toFixed(1),
        String(w.errors),
      ],
    ],
  );
  const loss = 1 - ratio;
  return {
    markdown: [
      `### (e) Plugin overhead: one Sluice worker (CPU 0), ${CONNECTIONS} connections, medians of ${passes} interleaved ${seconds} s passes`,
      table,
      `- with plugins ÷ bare: **${ratio.toFixed(2)}×** req/s (per pass ${perPass.map((r) => r.toFixed(2)).join(', ')}), CPU/req +${(w.cpu - b.cpu).toFixed(1)} µs`,
    ].join('\n\n'),
    targets: [
      {
        target: `Plugin overhead: with plugins ÷ bare ≥ ${(1 - TARGET_MAX_LOSS).toFixed(2)}`,
        result: `${(loss * 100).toFixed(1)} % (${ratio.toFixed(2)}×)`,
        status: w.errors === 0 && loss <= TARGET_MAX_LOSS ? 'PASS' : 'FAIL',
      },
    ],
  };
}
