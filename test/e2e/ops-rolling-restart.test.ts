// SIGHUP on a data plane: every worker is replaced, one at a time, with the listening sockets
// kept, so a bounded load sees zero failed requests and the stream ports keep answering.
import dgram from 'node:dgram';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startLoad } from '../helpers/load.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startSlowUpstream, type SlowUpstream } from '../helpers/slow-upstream.js';
import { LineClient, startTcpEcho, startUdpEcho, type TcpEcho, type UdpEcho } from './stream-fixtures.js';

let etcd: TestEtcd;
let slow: SlowUpstream;
let tcpEcho: TcpEcho;
let udpEcho: UdpEcho;
let dp: GatewayProcess | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  // A slow-ish upstream: 100 ms per answer keeps requests in flight while workers change.
  slow = await startSlowUpstream(100);
  tcpEcho = await startTcpEcho('t');
  udpEcho = await startUdpEcho('u');
});

afterAll(async () => {
  await dp?.kill();
  await slow?.close();
  await tcpEcho?.close();
  await udpEcho?.close();
  await etcd?.stop();
});

interface StatusBody {
  rollingRestart: boolean;
  workers: Array<{ pid: number; origin: string; retiring: boolean }>;
}
const status = async (): Promise<StatusBody> => (await fetch(`http://127.0.0.1:${dp!.ports.status}/status`)).json() as Promise<StatusBody>;

function udpAsk(port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP reply to ${msg}`));
    }, 1000);
    socket.on('message', (d) => {
      clearTimeout(timer);
      socket.close();
      resolve(d.toString());
    });
    socket.send(msg, port, '127.0.0.1');
  });
}

describe('SIGHUP rolling restart under load', () => {
  it('replaces every worker with zero failed requests, and stream ports keep working', async () => {
    const prefix = etcd.prefix('roll');
    const tcpPort = await freePort();
    const udpPort = await freePort();
    const client = new Etcd3({ hosts: etcd.endpoint });
    const put = (key: string, doc: object) => client.put(`${prefix}/${key}`).value(JSON.stringify(doc));
    await put('upstreams/slow', { id: 'slow', nodes: [{ host: '127.0.0.1', port: slow.port }] });
    await put('routes/slow', { id: 'slow', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'slow' }] });
    await put('stream-routes/tcp', { id: 'tcp', protocol: 'tcp', listenPort: tcpPort, upstream: { nodes: [{ host: '127.0.0.1', port: tcpEcho.port }] } });
    await put('stream-routes/udp', {
      id: 'udp',
      protocol: 'udp',
      listenPort: udpPort,
      timeout: 5,
      upstream: { nodes: [{ host: '127.0.0.1', port: udpEcho.port }] },
    });
    client.close();

    dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2, 'drain-seconds': 3 });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${dp!.ports.http}/`)).status === 200, 15_000, 'route');
    await waitFor(
      async () => {
        const c = await LineClient.connect(tcpPort);
        try {
          return (await c.ask('ping')) === 't:ping';
        } finally {
          c.close();
        }
      },
      10_000,
      'TCP stream port',
    );
    await waitFor(async () => (await udpAsk(udpPort, 'ping')) === 'u:ping', 10_000, 'UDP stream port');
    const before = await status();
    const oldPids = new Set(before.workers.map((w) => w.pid));
    expect(oldPids.size).toBe(2);

    // 8 keep-alive clients, plus new TCP stream sessions back to back, for the whole roll.
    const load = startLoad(`http://127.0.0.1:${dp.ports.http}/`, { concurrency: 8, maxMs: 30_000 });
    const streamFailures: string[] = [];
    let streamOk = 0;
    let streaming = true;
    const streamLoop = (async () => {
      for (let i = 0; streaming && i < 20_000; i++) {
        try {
          const c = await LineClient.connect(tcpPort);
          await c.ask(`m${i}`);
          c.close();
          streamOk++;
        } catch (err) {
          streamFailures.push(String(err));
        }
      }
    })();
    await waitFor(() => load.total >= 40, 10_000, 'load warm-up');

    dp.child.kill('SIGHUP');
    await waitFor(
      async () => {
        const s = await status();
        return !s.rollingRestart && s.workers.length === 2 && s.workers.every((w) => !oldPids.has(w.pid) && w.origin === 'etcd');
      },
      30_000,
      'every worker replaced',
    );
    const afterRoll = load.total;
    await waitFor(() => load.total >= afterRoll + 40, 10_000, 'load after the roll');
    streaming = false;
    const result = await load.stop();
    await streamLoop;

    console.log(
      `rolling restart under load: ${result.ok} ok, ${result.failed} failed ${JSON.stringify(result.outcomes)}; ${streamOk} TCP stream sessions, ${streamFailures.length} failed`,
    );
    expect(result.failed, JSON.stringify(result.outcomes)).toBe(0);
    expect(result.ok).toBeGreaterThan(100);
    expect(streamFailures).toEqual([]);
    expect(streamOk).toBeGreaterThan(10);
    // The stream ports survived: new TCP and UDP sessions reach the upstreams through the new workers.
    const tcpAfter = await LineClient.connect(tcpPort);
    expect(await tcpAfter.ask('after')).toBe('t:after');
    tcpAfter.close();
    expect(await udpAsk(udpPort, 'after')).toBe('u:after');
    const after = await status();
    expect(after.workers.map((w) => w.pid).filter((pid) => oldPids.has(pid))).toEqual([]);
    expect(dp.child.exitCode).toBeNull();
  });
});
