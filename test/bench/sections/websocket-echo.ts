import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../lib/bench-options.js';
import type { Log, SectionReport, TargetResult } from '../lib/bench-report.js';
import { formatNumber, markdownTable, oneLine } from '../lib/markdown-table.js';
import { processCpu } from '../lib/process-cpu.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { median } from '../lib/stats.js';
import type { ProxyUnderTest } from './http-throughput.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../programs/ws-echo-client.ts');
const LOAD_CPU = 1;

export interface WsSample {
  pass: number;
  messagesPerSecond: number;
  cpuMicrosPerMessage: number;
  errors: number;
}

/** Runs the closed-loop echo client (its own process, on CPU 1) for `seconds` against `url`. */
async function runClient(
  registry: ProcessRegistry,
  url: string,
  connections: number,
  seconds: number,
): Promise<{ messages: number; seconds: number; errors: number }> {
  const proc = registry.spawn('ws client', process.execPath, ['--import', 'tsx', CLIENT, url, String(connections), String(seconds)], { cpu: LOAD_CPU });
  const timer = setTimeout(() => void registry.stop(proc), (seconds + 20) * 1000);
  const code = await proc.exited;
  clearTimeout(timer);
  const line = proc.stdout().trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`ws client exited (${code}): ${proc.stderrTail().slice(-600)}`);
  return JSON.parse(line) as { messages: number; seconds: number; errors: number };
}

/** WebSocket echo through each proxy: warm-up, then interleaved passes. `url` of each proxy is its ws:// URL. */
export async function measureWebSocketEcho(
  registry: ProcessRegistry,
  proxies: ProxyUnderTest[],
  options: BenchOptions,
  log: Log,
): Promise<Map<string, WsSample[]>> {
  const live = proxies.filter((p) => !p.failure);
  const results = new Map<string, WsSample[]>(live.map((p) => [p.name, []]));
  for (const proxy of live) {
    log(`WebSocket warm-up ${proxy.name}`);
    await runClient(registry, proxy.url, options.wsConnections, options.warmupSeconds).catch((err: Error) => log(`  warm-up failed: ${err.message}`));
  }
  for (let pass = 1; pass <= options.passes; pass++) {
    log(`WebSocket pass ${pass}/${options.passes}`);
    for (const proxy of live) {
      try {
        const cpuBefore = processCpu(proxy.pid);
        const run = await runClient(registry, proxy.url, options.wsConnections, options.wsSeconds);
        const cpu = processCpu(proxy.pid) - cpuBefore;
        const s = { pass, messagesPerSecond: run.messages / run.seconds, cpuMicrosPerMessage: run.messages ? cpu / run.messages : NaN, errors: run.errors };
        results.get(proxy.name)!.push(s);
        log(
          `  ${proxy.name}: ${formatNumber(s.messagesPerSecond)} msg/s, ${s.cpuMicrosPerMessage.toFixed(1)} µs CPU/msg${s.errors ? `, ${s.errors} errors` : ''}`,
        );
      } catch (err) {
        log(`  ${proxy.name}: failed: ${(err as Error).message}`);
      }
    }
  }
  return results;
}

/** Renders the WebSocket table and judges Sluice ÷ nginx ≥ 0.8. */
export function reportWebSocketEcho(
  proxies: ProxyUnderTest[],
  results: Map<string, WsSample[]>,
  names: { nginx: string; sluice: string },
  options: BenchOptions,
): SectionReport {
  const summary = (name: string) => {
    const samples = results.get(name);
    if (!samples?.length) return undefined;
    return {
      rate: median(samples.map((s) => s.messagesPerSecond)),
      cpu: median(samples.map((s) => s.cpuMicrosPerMessage)),
      errors: samples.reduce((sum, s) => sum + s.errors, 0),
      passes: samples.map((s) => s.messagesPerSecond),
    };
  };
  const nginx = summary(names.nginx);
  const rows = proxies.map((proxy) => {
    const s = summary(proxy.name);
    if (!s) return [proxy.name, proxy.failure ? `not run: ${oneLine(proxy.failure)}` : 'no valid run', '', '', '', ''];
    return [
      proxy.name,
      formatNumber(s.rate),
      nginx ? (s.rate / nginx.rate).toFixed(2) : '–',
      formatNumber(s.cpu, 1),
      s.passes.map((r) => formatNumber(r)).join(' / '),
      String(s.errors),
    ];
  });
  const sluice = summary(names.sluice);
  const targets: TargetResult[] = [];
  const lines: string[] = [];
  if (sluice && nginx) {
    // As for HTTP: the median of per-pass ratios, least moved by drifting background load.
    const nginxRuns = results.get(names.nginx)!;
    const perPass = results.get(names.sluice)!.flatMap((s) => {
      const n = nginxRuns.find((r) => r.pass === s.pass);
      return n ? [s.messagesPerSecond / n.messagesPerSecond] : [];
    });
    const ratio = perPass.length ? median(perPass) : sluice.rate / nginx.rate;
    lines.push(
      `- Sluice ÷ nginx: **${ratio.toFixed(2)}×** messages/s (median of per-pass ratios ${perPass.map((r) => r.toFixed(2)).join(', ')}), CPU/msg ${(sluice.cpu / nginx.cpu).toFixed(2)}× nginx's (the load side on CPU 1 saturates first, so CPU per message is the fairer comparison)`,
    );
    targets.push({ target: 'WebSocket echo: Sluice ÷ nginx msgs/s ≥ 0.8', result: `${ratio.toFixed(2)}×`, status: ratio >= 0.8 ? 'PASS' : 'FAIL' });
  } else {
    targets.push({ target: 'WebSocket echo: Sluice ÷ nginx msgs/s ≥ 0.8', result: 'Sluice or nginx not measured', status: 'N/A' });
  }
  const markdown = [
    `### (b) WebSocket echo, ${options.wsConnections} connections, 32-byte messages, closed loop (proxy on CPU 0; ws upstream and client on CPU 1), medians`,
    '',
    markdownTable(['proxy', 'messages/s', '÷ nginx', 'CPU µs/msg', 'msgs/s per pass', 'errors'], rows),
    '',
    ...lines,
  ].join('\n');
  return { markdown, targets };
}
