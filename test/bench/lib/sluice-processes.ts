import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../helpers/ports.js';
import type { BenchProcess, ProcessRegistry } from './process-registry.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const GATEWAY_BIN = path.join(REPO_ROOT, 'bin/gateway');

export interface SluiceDataPlane {
  proc: BenchProcess;
  httpPort: number;
  statusPort: number;
  httpsPort: number;
}

export interface SluiceControlPlane {
  proc: BenchProcess;
  adminPort: number;
}

/** The environment without GATEWAY_* variables, so only the flags the bench passes apply. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GATEWAY_')));
}

function requireGateway(): void {
  if (!fs.existsSync(GATEWAY_BIN)) throw new Error(`${path.relative(REPO_ROOT, GATEWAY_BIN)} does not exist yet`);
}

/** The status of a GET on a fresh connection that is closed after it, so readiness polls leave no idle connection behind. */
function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

/** Waits for `ready`, failing early (with the process's stderr) if it exits first. */
async function awaitReady(proc: BenchProcess, ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const exited = proc.exited.then((code) => {
    throw new Error(`${proc.name} exited (${code}) before ${what}; stderr:\n${proc.stderrTail().slice(-2000)}`);
  });
  exited.catch(() => undefined);
  try {
    await Promise.race([waitFor(ready, timeoutMs, what), exited]);
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.includes('stderr:') ? message : `${proc.name}: ${message}; stderr:\n${proc.stderrTail().slice(-2000) || '(empty)'}`);
  }
}

/**
 * Starts `gateway data-plane` and waits until `readyPath` answers 200 through it. With `cpu`, the
 * whole process tree (primary and forked workers) is pinned to that core.
 */
export async function startSluiceDataPlane(
  registry: ProcessRegistry,
  options: {
    etcd: string;
    prefix: string;
    workers: number;
    cpu?: number;
    readyPath: string;
    dataDir: string;
    /** Another built checkout (BENCH_BASELINE): its `bin/gateway` runs instead of this one's. */
    checkout?: string;
    /** Names the process in logs. */
    label?: string;
    /** Also wait for the status port's /readyz (every worker has a config), not only for one worker serving readyPath. */
    allWorkers?: boolean;
    /** How long to wait for readiness (default 30 s). */
    readyTimeoutMs?: number;
  },
): Promise<SluiceDataPlane> {
  const root = options.checkout ?? REPO_ROOT;
  const gatewayBin = path.join(root, 'bin/gateway');
  if (options.checkout === undefined) requireGateway();
  else if (!fs.existsSync(gatewayBin)) throw new Error(`${gatewayBin} does not exist`);
  const httpPort = await freePort();
  const statusPort = await freePort();
  const args = [gatewayBin, 'data-plane', '--etcd', options.etcd, '--prefix', options.prefix];
  args.push('--http-port', String(httpPort), '--status-port', String(statusPort), '--workers', String(options.workers));
  // Beyond the brief's flags: loopback only, a free HTTPS port (the default 9443 may be taken),
  // a private config cache, and a short drain so stopping it does not wait 30 s.
  const httpsPort = await freePort();
  args.push('--host', '127.0.0.1', '--https-port', String(httpsPort), '--data-dir', options.dataDir, '--drain-seconds', '1');
  const proc = registry.spawn(options.label ?? `sluice data-plane (${options.workers} worker${options.workers > 1 ? 's' : ''})`, process.execPath, args, {
    cpu: options.cpu,
    cwd: root,
    env: cleanEnv(),
  });
  const url = `http://127.0.0.1:${httpPort}${options.readyPath}`;
  const readyz = `http://127.0.0.1:${statusPort}/readyz`;
  const ready = async () => (!options.allWorkers || (await statusOf(readyz)) === 200) && (await statusOf(url)) === 200;
  await awaitReady(proc, ready, options.readyTimeoutMs ?? 30_000, `GET ${options.readyPath} answering 200${options.allWorkers ? ' and /readyz' : ''}`);
  return { proc, httpPort, statusPort, httpsPort };
}

/** Starts `gateway control-plane` (the admin API) and waits until it lists routes with the key. */
export async function startSluiceControlPlane(
  registry: ProcessRegistry,
  options: { etcd: string; prefix: string; adminKey: string },
): Promise<SluiceControlPlane> {
  requireGateway();
  const adminPort = await freePort();
  const args = [
    GATEWAY_BIN,
    'control-plane',
    '--etcd',
    options.etcd,
    '--prefix',
    options.prefix,
    '--admin-port',
    String(adminPort),
    '--admin-key',
    options.adminKey,
    '--status-port',
    '0',
  ];
  args.push('--host', '127.0.0.1');
  const proc = registry.spawn('sluice control-plane', process.execPath, args, { cwd: REPO_ROOT, env: cleanEnv() });
  const url = `http://127.0.0.1:${adminPort}/api/v1/routes`;
  await awaitReady(proc, async () => (await statusOf(url, { 'x-api-key': options.adminKey })) === 200, 30_000, 'the admin API listing routes');
  return { proc, adminPort };
}
