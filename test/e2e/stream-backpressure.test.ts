// Back-pressure on TCP stream routes, upstream → client: an upstream writing 200-byte or 64 KiB
// chunks as fast as it may, to a client that stops reading. The gateway must stop reading the
// upstream (so its writes stall) instead of buffering without bound, and resume when the
// client reads again.
import net from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { tcpPortOpen } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
const servers: net.Server[] = [];
const MB = 1024 * 1024;

/** Writes `chunk` until the socket refuses more or `limit` bytes went out; reports how much it pushed. */
async function pushingUpstream(chunkSize: number, limit: number) {
  const state = { pushed: 0, stalled: false };
  const chunk = Buffer.alloc(chunkSize, 'p');
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    const pump = () => {
      while (state.pushed < limit) {
        state.pushed += chunk.length;
        if (!socket.write(chunk)) {
          state.stalled = true;
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, state };
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('backpressure');
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
});

afterAll(async () => {
  await dp?.stop();
  client?.close();
  for (const s of servers) s.close();
  await etcd?.stop();
});

describe('TCP stream back-pressure, upstream to a client that does not read', () => {
  for (const [label, chunkSize] of [
    ['200-byte writes', 200],
    ['64 KiB writes', 64 * 1024],
  ] as const) {
    it(`holds the upstream back with ${label}`, async () => {
      const limit = 200 * MB;
      const upstream = await pushingUpstream(chunkSize, limit);
      const port = await freePort();
      await client
        .put(`${prefix}/stream-routes/bp-${chunkSize}`)
        .value(JSON.stringify({ id: `bp-${chunkSize}`, protocol: 'tcp', listenPort: port, upstream: { nodes: [{ host: '127.0.0.1', port: upstream.port }] } }));
      await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.pause(); // never read
      // The upstream stalls for good once the kernel buffers on both hops (loopback autotuning
      // grows them to a few MB each) and the gateway's share are full.
      let last = -1;
      let unchangedSince = Date.now();
      await waitFor(
        () => {
          if (upstream.state.pushed !== last) {
            last = upstream.state.pushed;
            unchangedSince = Date.now();
          }
          return upstream.state.stalled && Date.now() - unchangedSince >= 300;
        },
        15_000,
        'upstream stalled for 300 ms',
      );
      const stalledAt = upstream.state.pushed;
      // Without back-pressure the gateway would read all 200 MB into memory.
      expect(stalledAt).toBeLessThan(64 * MB);
      // Reading again lets the rest flow.
      let received = 0;
      socket.on('data', (d: Buffer) => (received += d.length));
      socket.resume();
      await waitFor(() => received > upstream.state.pushed / 2 && upstream.state.pushed > stalledAt, 10_000, 'bytes flowing again');
      socket.destroy();
    });
  }
});
