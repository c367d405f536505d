import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessRegistry } from './process-registry.js';
import { REPO_ROOT } from './sluice-processes.js';

const PROGRAMS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../programs');

/** A self-signed certificate, the same for nginx and Sluice: ECDSA P-256 for bench.test, or RSA 2048 for rsa.bench.test. */
export function makeCertificate(dir: string, type: 'ec' | 'rsa'): { cert: string; key: string } {
  const cert = path.join(dir, `bench-tls-${type}.crt`);
  const key = path.join(dir, `bench-tls-${type}.key`);
  const name = type === 'ec' ? 'bench.test' : 'rsa.bench.test';
  const keyArgs = type === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  execFileSync(
    'openssl',
    ['req', '-x509', ...keyArgs, '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', key, '-out', cert],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

/** h2load (Debian nghttp2-client) pinned to `cpu`: HTTP/2 over TLS, `streams` concurrent streams per connection. */
export async function runH2load(
  registry: ProcessRegistry,
  url: string,
  connections: number,
  streams: number,
  seconds: number,
  cpu: number,
): Promise<{ requests: number; seconds: number; errors: number }> {
  const proc = registry.spawn('h2load', 'h2load', ['-t', '1', '-c', String(connections), '-m', String(streams), '-D', String(seconds), url], { cpu });
  const timer = setTimeout(() => void registry.stop(proc), (seconds + 20) * 1000);
  const code = await proc.exited;
  clearTimeout(timer);
  const text = proc.stdout();
  const finished = /finished in ([\d.]+)(ms|s)/.exec(text);
  const counts = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(text);
  if (code !== 0 || !finished || !counts) throw new Error(`h2load exited (${code}): ${text.slice(-600)} ${proc.stderrTail().slice(-300)}`);
  const elapsed = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  return { requests: Number(counts[3]), seconds: elapsed, errors: Number(counts[4]) + Number(counts[5]) };
}

export interface StreamLoadResult {
  ops: number;
  bytes: number;
  seconds: number;
  errors: number;
}

/** programs/stream-load.ts pinned to `cpu` (modes: tcp-bulk, tcp-rtt, udp, tls-handshake, tls-resume), bounded by `seconds`. */
export async function runStreamLoad(
  registry: ProcessRegistry,
  mode: string,
  port: number,
  connections: number,
  seconds: number,
  serverName: string,
  cpu: number,
): Promise<StreamLoadResult> {
  const proc = registry.spawn(
    `stream load ${mode}`,
    process.execPath,
    ['--import', 'tsx', path.join(PROGRAMS, 'stream-load.ts'), mode, String(port), String(connections), String(seconds), serverName],
    {
      cpu,
      cwd: REPO_ROOT,
    },
  );
  const timer = setTimeout(() => void registry.stop(proc), (seconds + 20) * 1000);
  const code = await proc.exited;
  clearTimeout(timer);
  const last = proc.stdout().trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`stream load exited (${code}): ${proc.stderrTail().slice(-600)}`);
  return JSON.parse(last) as StreamLoadResult;
}
