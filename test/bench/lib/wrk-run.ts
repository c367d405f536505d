import type { ProcessRegistry } from './process-registry.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  /** Non-2xx/3xx responses plus socket errors: a run with errors is not a valid figure. */
  errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk's text report (run with --latency). */
export function parseWrk(text: string): WrkResult {
  const total = text.match(/(\d+) requests in ([\d.]+)(us|ms|s|m)/);
  const rate = text.match(/Requests\/sec:\s+([\d.]+)/);
  if (!total || !rate) throw new Error(`unexpected wrk output:\n${text}`);
  const latency = (pct: string) => {
    const m = text.match(new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  };
  const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests: Number(total[1]),
    seconds: (Number(total[2]) * UNIT_MS[total[3]!]!) / 1000,
    requestsPerSecond: Number(rate[1]),
    p50: latency('50'),
    p99: latency('99'),
    errors: non2xx + socketErrors,
  };
}

/** Runs wrk (one thread) pinned to `cpu` against `url` and returns its parsed report. */
export async function runWrk(registry: ProcessRegistry, url: string, connections: number, seconds: number, cpu: number): Promise<WrkResult> {
  const proc = registry.spawn('wrk', 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '--latency', url], { cpu });
  const timer = setTimeout(() => void registry.stop(proc), (seconds + 15) * 1000);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`wrk exited (${code}): ${proc.stderrTail()}`);
  return parseWrk(proc.stdout());
}
