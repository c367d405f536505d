import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const gatewayBin = path.join(repoRoot, 'bin/gateway');

/**
 * Every gateway process a test file started: if a test fails before its afterAll can stop one
 * (e.g. `Promise.all` of two starts where one fails), it is still killed when the test
 * worker exits, so no process outlives its test file.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface GatewayProcess {
  child: ChildProcess;
  /** Ports the process printed (httpPort, statusPort, adminPort). */
  ports: { http?: number; status?: number; admin?: number; https?: number; controlPlaneStatus?: number };
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  kill(): Promise<void>;
  dataDir: string;
}

/**
 * Runs `bin/gateway <command>` as a user would (built code, real process), with ports 0
 * unless given, and resolves once it printed its ports.
 */
export async function startGateway(
  command: 'data-plane' | 'control-plane' | 'up',
  flags: Record<string, string | number | boolean>,
  env: NodeJS.ProcessEnv = {},
): Promise<GatewayProcess> {
  const dataDir = (flags['data-dir'] as string | undefined) ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-gw-'));
  const ownsDataDir = flags['data-dir'] === undefined;
  const defaults: Record<string, string | number> =
    command === 'data-plane'
      ? { 'http-port': 0, 'status-port': 0, 'https-port': 0, workers: 1, host: '127.0.0.1', 'drain-seconds': 5 }
      : command === 'control-plane'
        ? { 'admin-port': 0, 'status-port': 0, host: '127.0.0.1', 'admin-key': 'test-key' }
        : { 'http-port': 0, 'status-port': 0, 'https-port': 0, 'admin-port': 0, workers: 1, host: '127.0.0.1' };
  const all = { ...defaults, 'data-dir': dataDir, ...flags };
  const args = [gatewayBin, command];
  for (const [k, v] of Object.entries(all)) {
    if (v === true) args.push(`--${k}`);
    else if (v !== false) args.push(`--${k}`, String(v));
  }
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GATEWAY_LOG_LEVEL: 'warn', ...env },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  const ports: GatewayProcess['ports'] = {};
  const onData = (d: Buffer) => {
    out += d.toString();
    const dp = /data plane: http port (\d+), status port (\d+)/.exec(out);
    if (dp) {
      ports.http = Number(dp[1]);
      ports.status = Number(dp[2]);
    }
    const tlsPort = /data plane: http port \d+, status port \d+, https port (\d+)/.exec(out);
    if (tlsPort) ports.https = Number(tlsPort[1]);
    const cp = /admin API on port (\d+)/.exec(out);
    if (cp) ports.admin = Number(cp[1]);
    const cpStatus = /admin API on port \d+ \([^)]*\), status port (\d+)|control plane status\s+http:\/\/[^\s]+:(\d+)\//.exec(out);
    if (cpStatus) ports.controlPlaneStatus = Number(cpStatus[1] ?? cpStatus[2]);
    // `gateway up` prints a summary block instead.
    const up = /proxy\s+http:\/\/[^\s]+:(\d+)\/[\s\S]*admin API\s+http:\/\/[^\s]+:(\d+)\/[\s\S]*status\s+http:\/\/[^\s]+:(\d+)\//.exec(out);
    if (up) {
      ports.http = Number(up[1]);
      ports.admin = Number(up[2]);
      ports.status = Number(up[3]);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway ${command} did not start in 45 s:\n${out}`)), 45_000);
      const check = () => {
        const done = command === 'data-plane' ? ports.status : command === 'control-plane' ? ports.admin : ports.status && ports.admin;
        if (done) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gateway ${command} exited with ${code}:\n${out}`));
      });
    });
    // Like a load balancer would, wait until the data plane serves a config (/readyz 200):
    // its ports open before the first config is loaded, and answer 503 until then.
    if (ports.status !== undefined && command !== 'control-plane') {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${ports.status}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok || child.exitCode !== null) break;
        if (Date.now() > deadline) throw new Error(`gateway ${command} not ready in 45 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  } catch (err) {
    // A process that did not come up is not left behind (with its data dir).
    child.kill('SIGKILL');
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const waitExit = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
    });
  const cleanup = () => {
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    child,
    ports,
    dataDir,
    output: () => out,
    async stop(graceMs = 10_000) {
      const exited = waitExit();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      cleanup();
      return code;
    },
    async kill() {
      const exited = waitExit();
      child.kill('SIGKILL');
      await exited;
      cleanup();
    },
  };
}
