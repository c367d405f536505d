// UDP sessions across cluster workers: with two workers reading one shared listening socket, a
// client's later datagrams still reach the session (and upstream socket) its first one opened,
// and a session nobody uses is closed after the route's idle timeout while a busy one lives on.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { openUdpClients, startUdpEcho, type UdpEcho } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let echo: UdpEcho;

async function put(id: string, doc: object) {
  await client.put(`${prefix}/stream-routes/${id}`).value(JSON.stringify({ id, ...doc }));
}

async function udpSessions(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${dp.ports.status}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) if (/^\S*udp_sessions\S*\s/.test(line)) total += Number(line.trim().split(/\s+/).pop());
  return total;
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('udp-sessions');
  echo = await startUdpEcho('u');
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2 });
});

afterAll(async () => {
  await dp?.stop();
  client?.close();
  await echo?.close();
  await etcd?.stop();
});

describe('UDP sessions with two workers', () => {
  it('keeps every client on one upstream socket for all its datagrams', async () => {
    const port = await freePort();
    await put('u', { protocol: 'udp', listenPort: port, timeout: 30, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } });
    const clients = await openUdpClients(30);
    const round = async (tag: string) => {
      clients.sockets.forEach((s, i) => s.send(`c${i}-${tag}`, port, '127.0.0.1'));
      await waitFor(() => clients.replies.every((r) => r.some((m) => m.endsWith(`-${tag}`))), 5000, `round ${tag} answered`);
    };
    try {
      // Greeting resends until answered, and a session's own socket is connected a moment after
      // its first datagram: a resend in that moment may open a second session in the other
      // worker. Once settled (a warm-up round), no datagram may open a new one.
      await clients.greet(port);
      await round('warm');
      const settled = new Set(echo.peers);
      for (let n = 0; n < 10; n++) await round(`m${n}`);
      clients.replies.forEach((r, i) => {
        for (const m of r) expect(m).toMatch(new RegExp(`^u:c${i}-`));
      });
      // Each upstream socket is one session: a new one during the rounds would mean a client's
      // datagrams were split across workers (the shared socket's reader picks at random).
      expect([...echo.peers].filter((p) => !settled.has(p))).toEqual([]);
      expect(settled.size).toBeGreaterThanOrEqual(30);
    } finally {
      clients.close();
    }
  });

  it('closes idle sessions after the timeout and keeps busy ones', async () => {
    const port = await freePort();
    await put('short', { protocol: 'udp', listenPort: port, timeout: 1, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } });
    const clients = await openUdpClients(2);
    try {
      await clients.greet(port);
      const before = await udpSessions();
      expect(before).toBeGreaterThanOrEqual(2);
      // Client 0 keeps talking for 2.5 s (past the 1 s timeout); client 1 stays quiet.
      const busy = clients.sockets[0];
      const started = Date.now();
      let sent = 0;
      while (Date.now() - started < 2500) {
        busy.send(`c0-keep${sent++}`, port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 200));
      }
      await waitFor(async () => (await udpSessions()) === before - 1, 5000, 'the quiet session closed');
      // The busy client's session survived: its replies kept coming through the same upstream socket.
      const peersBefore = echo.peers.size;
      busy.send('c0-last', port, '127.0.0.1');
      await waitFor(() => clients.replies[0].some((m) => m.endsWith('c0-last')), 3000, 'busy client still answered');
      expect(echo.peers.size).toBe(peersBefore);
    } finally {
      clients.close();
    }
  });
});
