// limit-count `policy: local` is exact for a whole data-plane instance: with two workers the
// hits go to the primary over the cluster IPC channel, with one they are counted in-process;
// either way a burst over many connections gets exactly `count` answers through.
import fs from 'node:fs';
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let etcd: TestEtcd;
let echo: EchoServer;
let prefix: string;
const gateways: GatewayProcess[] = [];

interface Answer {
  status: number;
  remaining: string | undefined;
  limit: string | undefined;
}

/** One keep-alive connection (its own agent) sending `count` requests one after another. */
async function overOneConnection(port: number, path: string, count: number): Promise<{ answers: Answer[]; clientPorts: Set<number>; agent: http.Agent }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers: Answer[] = [];
  const clientPorts = new Set<number>();
  for (let i = 0; i < count; i++) {
    answers.push(
      await new Promise<Answer>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
          clientPorts.add(res.socket.localPort!);
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              remaining: res.headers['x-ratelimit-remaining'] as string | undefined,
              limit: res.headers['x-ratelimit-limit'] as string | undefined,
            }),
          );
        });
        req.on('error', reject);
        req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
      }),
    );
  }
  return { answers, clientPorts, agent };
}

/** 30 requests: 10 fresh connections at once, 3 requests each. */
async function burst(port: number, path: string) {
  const conns = await Promise.all(Array.from({ length: 10 }, () => overOneConnection(port, path, 3)));
  return { answers: conns.flatMap((c) => c.answers), conns };
}

/** Which process holds the server side of the connection from `clientPort` (Linux /proc). */
function serverSocketOwner(httpPort: number, clientPort: number, pids: number[]): number | undefined {
  let inode: string | undefined;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (parseInt(f[1]!.split(':')[1]!, 16) === httpPort && parseInt(f[2]!.split(':')[1]!, 16) === clientPort) inode = f[9];
    }
  }
  if (inode === undefined) return undefined;
  for (const pid of pids) {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return undefined;
}

async function startDataPlane(workers: number): Promise<GatewayProcess> {
  const dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers });
  gateways.push(dp);
  // Ready = every worker serves the config (written before the start).
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.status}/readyz`)).status === 200, 15_000, 'data plane ready');
  return dp;
}

function expectExactLimit(answers: Answer[]): void {
  const ok = answers.filter((a) => a.status === 200);
  expect(answers).toHaveLength(30);
  expect(ok).toHaveLength(10);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(20);
  // Every allowed request saw its own place in the one window: remaining 9, 8, ..., 0.
  expect(ok.map((a) => Number(a.remaining)).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(answers.every((a) => a.limit === '10')).toBe(true);
}

beforeAll(async () => {
  etcd = await startEtcd();
  prefix = etcd.prefix('limit-count-instance');
  echo = await startHttpEcho('echo');
  const client = new Etcd3({ hosts: etcd.endpoint });
  const route = (id: string, path: string, plugins: object) =>
    client
      .put(`${prefix}/routes/${id}`)
      .value(JSON.stringify({ id, match: { paths: [{ type: 'prefix', value: path }] }, backends: [{ upstreamId: 'echo' }], plugins }));
  await client.put(`${prefix}/upstreams/echo`).value(JSON.stringify({ id: 'echo', nodes: [{ host: '127.0.0.1', port: echo.port }] }));
  await route('limited', '/limited', { 'limit-count': { count: 10, timeWindow: 60 } });
  await route('other', '/other', { 'limit-count': { count: 10, timeWindow: 60 } });
  client.close();
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await echo?.close();
  await etcd?.stop();
});

describe('limit-count policy local across the workers of one data plane', () => {
  it('two workers: exactly count requests pass in total, counted by the primary', async () => {
    const dp = await startDataPlane(2);
    const status = (await (await fetch(`http://127.0.0.1:${dp.ports.status}/status`)).json()) as { workers: { pid: number }[] };
    const workerPids = status.workers.map((w) => w.pid);
    expect(workerPids).toHaveLength(2);
    const before = echo.count;

    const { answers, conns } = await burst(dp.ports.http!, '/limited');
    // Both workers served some of the connections (each connection kept one socket).
    const owners = new Set<number | undefined>();
    for (const c of conns) {
      expect(c.clientPorts.size).toBe(1);
      owners.add(serverSocketOwner(dp.ports.http!, [...c.clientPorts][0]!, workerPids));
    }
    for (const c of conns) c.agent.destroy();
    expect(owners).toEqual(new Set(workerPids));

    expectExactLimit(answers);
    // Refusals never reached the upstream.
    expect(echo.count - before).toBe(10);
    // Another route has its own window.
    expect((await overOneConnection(dp.ports.http!, '/other', 1)).answers[0]!.status).toBe(200);
  });

  it('one worker: the same numbers, counted in-process', async () => {
    const dp = await startDataPlane(1);
    const { answers, conns } = await burst(dp.ports.http!, '/limited');
    for (const c of conns) c.agent.destroy();
    expectExactLimit(answers);
  });
});
