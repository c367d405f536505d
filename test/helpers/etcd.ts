import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freePort, waitFor } from './ports.js';
import { killChild } from './kill-child.js';

/** With client-certificate auth, /health needs a certificate: wait for the port instead. */
function waitForPort(port: number): Promise<void> {
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    15_000,
    'etcd port',
  );
}

export interface TestEtcd {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  dataDir: string;
  /** A fresh key prefix per call, so test files never share keys. */
  prefix(name: string): string;
  /** SIGKILL, keeping the data dir (for restart tests). */
  kill(): Promise<void>;
  /** Start again on the same ports and data. */
  restart(): Promise<void>;
  /** Kill and remove the data dir. */
  stop(): Promise<void>;
}

type EtcdOptions = { tls?: { cert: string; key: string; ca: string } };

/**
 * A real etcd (Debian etcd-server) on free loopback ports with its data in a temp dir. A port
 * found free can be taken by a parallel test before etcd binds it: then it starts again on
 * other ports.
 */
export async function startEtcd(opts: EtcdOptions = {}): Promise<TestEtcd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(opts);
    } catch (err) {
      if (attempt >= 5 || !/address already in use/.test(String((err as Error).message))) throw err;
    }
  }
}

async function startEtcdOnce(opts: EtcdOptions): Promise<TestEtcd> {
  const bin = process.env.ETCD_BIN ?? 'etcd';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  let child: ChildProcess | undefined;
  let counter = 0;

  const launch = async () => {
    const args = [
      '--name',
      'test',
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-cluster',
      `test=http://127.0.0.1:${peerPort}`,
      ...(opts.tls ? ['--cert-file', opts.tls.cert, '--key-file', opts.tls.key, '--trusted-ca-file', opts.tls.ca, '--client-cert-auth'] : []),
      '--log-level',
      'error',
      '--logger',
      'zap',
    ];
    const proc = spawn(bin, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' },
    });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`etcd exited with ${code}: ${stderr}`))));
    exited.catch(() => undefined);
    await Promise.race([opts.tls ? waitForPort(clientPort) : waitFor(async () => (await fetch(`${endpoint}/health`)).ok, 15_000, 'etcd /health'), exited]);
  };

  const kill = async () => {
    const proc = child;
    child = undefined;
    await killChild(proc);
  };

  try {
    await launch();
  } catch (err) {
    await kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint,
    dataDir,
    prefix: (name) => `/t-${process.pid}-${++counter}-${name.replace(/[^a-z0-9-]/gi, '')}`,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
