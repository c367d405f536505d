import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Finds `etcd` on PATH; on Debian as root, installs Debian's etcd-server when it is missing. */
export function findOrInstallEtcd(log: (msg: string) => void): string {
  const found = which('etcd');
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && fs.existsSync('/etc/debian_version')) {
    log('etcd not found: installing Debian package etcd-server with apt-get ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server'], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server'], { stdio: 'inherit', env });
    }
    const installed = which('etcd');
    if (r.status === 0 && installed) return installed;
  }
  throw new Error(
    'etcd was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install etcd-server`; ' +
      'elsewhere: an etcd 3.4+ release) or point to a running etcd with --etcd http://HOST:2379.',
  );
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalEtcd {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts etcd on free loopback ports with its data in `dataDir`; resolves once it answers /health. */
export async function startLocalEtcd(bin: string, dataDir: string): Promise<LocalEtcd> {
  fs.mkdirSync(dataDir, { recursive: true });
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFile = fs.openSync(path.join(dataDir, 'etcd.log'), 'a');
  const child = spawn(
    bin,
    [
      '--name',
      'sluice',
      '--data-dir',
      path.join(dataDir, 'member-data'),
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `sluice=${peer}`,
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', logFile, logFile] },
  );
  fs.closeSync(logFile);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}; see ${path.join(dataDir, 'etcd.log')}`);
    try {
      if ((await fetch(`${endpoint}/health`)).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`etcd did not become healthy in 20 s; see ${path.join(dataDir, 'etcd.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
