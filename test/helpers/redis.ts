import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';
import { killChild } from './kill-child.js';

export interface TestRedis {
  host: string;
  port: number;
  /** Sends one inline command and returns the raw reply (e.g. `KEYS *`, `FLUSHALL`). */
  command(line: string): Promise<string>;
  /** SIGKILL, keeping the port (for outage tests). */
  kill(): Promise<void>;
  /** Start again on the same port. */
  restart(): Promise<void>;
  /** Kill and remove the temp dir. */
  stop(): Promise<void>;
}

/** A real Redis (Debian redis-server) on a free loopback port, nothing persisted, in a temp dir. */
export async function startRedis(): Promise<TestRedis> {
  const bin = process.env.REDIS_BIN ?? 'redis-server';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let reply = '';
      socket.setTimeout(2000, () => socket.destroy(new Error('redis command timed out')));
      socket.on('error', reject);
      socket.on('data', (d) => {
        reply += d;
        socket.end();
      });
      socket.on('close', () => resolve(reply));
      socket.write(`${line}\r\n`);
    });

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
    const proc = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${stderr}`))));
    exited.catch(() => undefined);
    await Promise.race([waitFor(async () => (await command('PING')).startsWith('+PONG'), 10_000, 'redis PING'), exited]);
  };

  const kill = async () => {
    const proc = child;
    child = undefined;
    await killChild(proc);
  };

  await launch();
  return {
    host: '127.0.0.1',
    port,
    command,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
