// `--log-level` reaches the loggers of every process, the forked data-plane workers included,
// and what they write is pino JSON (one object a line, with a numeric level) apart from the
// human-readable startup lines; an unknown level is refused before anything starts.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { gatewayBin, startGateway, type GatewayProcess } from '../helpers/processes.js';

let etcd: TestEtcd;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await etcd?.stop();
});

/** The lines of `output` that are JSON objects, parsed. */
const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; name: string; pid: number });

describe('--log-level', () => {
  it('turns on debug logs in the data-plane workers, as pino JSON lines', async () => {
    // startGateway sets GATEWAY_LOG_LEVEL=warn; the flag takes precedence over it.
    const dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix: etcd.prefix('debug'), 'log-level': 'debug' });
    running.push(dp);
    await waitFor(() => jsonLines(dp.output()).some((l) => l.msg === 'routing table swapped'), 10_000, 'debug line from a worker');
    const swapped = jsonLines(dp.output()).find((l) => l.msg === 'routing table swapped')!;
    expect(swapped.level).toBe(20);
    expect(swapped.name).toBe('data-plane-worker');
    expect(swapped.pid).not.toBe(dp.child.pid);
  });

  it('leaves debug logs out at the level from the environment', async () => {
    const dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix: etcd.prefix('warn') });
    running.push(dp);
    expect(jsonLines(dp.output()).every((l) => l.level >= 40)).toBe(true);
    expect(dp.output()).not.toContain('routing table swapped');
  });

  it('refuses an unknown level as a usage error (exit code 2), naming the values', async () => {
    const child = spawn(process.execPath, [gatewayBin, 'control-plane', '--log-level', 'loud', '--etcd', etcd.endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(out.trim().split('\n')).toEqual([
      'gateway control-plane: --log-level (or GATEWAY_LOG_LEVEL) must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      "Run 'gateway control-plane --help' for usage.",
    ]);
  });
});
