// Stream routes (TCP, UDP, TLS passthrough) through a real `gateway data-plane` process,
// configured live in a real etcd, against real upstream servers.
import net from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import {
  LineClient,
  makeCerts,
  rejectedDocuments,
  startTcpEcho,
  startUdpEcho,
  tcpPortOpen,
  type TcpEcho,
  type TestCerts,
  type UdpEcho,
  openUdpClients,
} from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let certs: TestCerts;
const tcp: Record<string, TcpEcho> = {};
const udp: Record<string, UdpEcho> = {};
const clients: LineClient[] = [];

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}
async function del(collection: string, id: string) {
  await client.delete().key(`${prefix}/${collection}/${id}`);
}
const node = (port: number) => ({ host: '127.0.0.1', port, weight: 1 });
async function connect(port: number, opts?: Parameters<typeof LineClient.connect>[1]) {
  const c = await LineClient.connect(port, opts);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('streams');
  certs = makeCerts(['a.test', 'b.test']);
  for (const name of ['a', 'b']) tcp[name] = await startTcpEcho(name);
  tcp.tlsA = await startTcpEcho('tls-a', { tls: certs.leaf('a.test') });
  tcp.tlsB = await startTcpEcho('tls-b', { tls: certs.leaf('b.test') });
  udp.u = await startUdpEcho('u');
  await put('upstreams', 'ua', { nodes: [node(tcp.a.port)] });
  await put('upstreams', 'ub', { nodes: [node(tcp.b.port)] });
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await dp?.stop();
  client?.close();
  await Promise.all([...Object.values(tcp), ...Object.values(udp)].map((s) => s.close()));
  certs?.cleanup();
  await etcd?.stop();
});

describe('tcp stream routes', () => {
  it('echoes through a route, opens its port when created and closes it when deleted', async () => {
    const port = await freePort();
    expect(await tcpPortOpen(port)).toBe(false);
    await put('stream-routes', 'echo', { protocol: 'tcp', listenPort: port, backends: [{ upstreamId: 'ua' }] });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const c = await connect(port);
    expect(await c.ask('hello')).toBe('a:hello');
    expect(await c.ask('again')).toBe('a:again');
    await del('stream-routes', 'echo');
    await waitFor(async () => !(await tcpPortOpen(port)), 5000, 'stream port closed');
    // The connection made before the port closed drains: it is not cut.
    expect(await c.ask('still here')).toBe('a:still here');
  });

  it('carries a 32 MB upload with back-pressure and passes the half-close both ways', async () => {
    // The sink counts bytes until the client's FIN, then answers with the count and closes.
    const sink = net.createServer({ allowHalfOpen: true }, (socket) => {
      let bytes = 0;
      socket.on('data', (c: Buffer) => (bytes += c.length));
      socket.on('end', () => socket.end(String(bytes)));
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = await freePort();
    await put('stream-routes', 'bulk', { protocol: 'tcp', listenPort: port, upstream: { nodes: [node((sink.address() as net.AddressInfo).port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const total = 32 * 1024 * 1024;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
        const chunk = Buffer.alloc(64 * 1024, 7);
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
          socket.end();
        };
        pump();
      });
      let reply = '';
      socket.on('data', (d) => (reply += d));
      socket.on('end', () => resolve(reply));
      socket.on('error', reject);
    });
    expect(answer).toBe(String(total));
    sink.close();
    await del('stream-routes', 'bulk');
  });

  it('moves new connections to a changed backend while an open one keeps its node', async () => {
    const port = await freePort();
    await put('stream-routes', 'move', { protocol: 'tcp', listenPort: port, backends: [{ upstreamId: 'ua' }] });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const old = await connect(port);
    expect(await old.ask('x')).toBe('a:x');
    await put('stream-routes', 'move', { protocol: 'tcp', listenPort: port, backends: [{ upstreamId: 'ub' }] });
    await waitFor(
      async () => {
        const c = await connect(port);
        return (await c.ask('probe')) === 'b:probe';
      },
      5000,
      'new connections reach b',
    );
    expect(await old.ask('y')).toBe('a:y');
    await del('stream-routes', 'move');
  });

  it('retries another node when the first refuses the connection', async () => {
    const port = await freePort();
    const dead = await freePort();
    await put('stream-routes', 'retry', { protocol: 'tcp', listenPort: port, upstream: { nodes: [node(dead), node(tcp.b.port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    for (let i = 0; i < 4; i++) {
      const c = await connect(port);
      expect(await c.ask(`r${i}`)).toBe(`b:r${i}`);
      c.close();
    }
    await del('stream-routes', 'retry');
  });

  it('sends a PROXY protocol v1 header naming the real client', async () => {
    const port = await freePort();
    const pp = await startTcpEcho('pp');
    tcp.pp = pp;
    await put('stream-routes', 'pp', { protocol: 'tcp', listenPort: port, proxyProtocol: 'v1', upstream: { nodes: [node(pp.port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const c = await connect(port);
    expect(await c.ask('payload')).toMatch(/payload$/);
    // The header is one write ahead of the client's bytes (TCP may or may not coalesce them);
    // the port probes above made connections of their own, so look for this client's port.
    const header = `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.socket.localPort} ${port}\r\n`;
    expect(pp.firstBytes.some((b) => b.toString('latin1').startsWith(header))).toBe(true);
    await del('stream-routes', 'pp');
  });

  it('sends a PROXY protocol v2 header naming the real client', async () => {
    const port = await freePort();
    const pp = await startTcpEcho('pp2');
    tcp.pp2 = pp;
    await put('stream-routes', 'pp2', { protocol: 'tcp', listenPort: port, proxyProtocol: 'v2', upstream: { nodes: [node(pp.port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const c = await connect(port);
    expect(await c.ask('payload')).toMatch(/payload$/);
    // Spelled out byte by byte from proxy-protocol.txt §2.2 rather than with our own encoder:
    // signature, version 2 + PROXY, TCP over IPv4, 12 address bytes, src/dst address, src/dst port.
    const expected = Buffer.concat([
      Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]),
      Buffer.from([0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 1, 127, 0, 0, 1]),
      Buffer.from([c.socket.localPort! >> 8, c.socket.localPort! & 0xff, port >> 8, port & 0xff]),
    ]);
    expect(pp.firstBytes.some((b) => b.subarray(0, expected.length).equals(expected))).toBe(true);
    await del('stream-routes', 'pp2');
  });

  it('refuses clients outside remoteAddrs and serves those inside', async () => {
    const denied = await freePort();
    const allowed = await freePort();
    await put('stream-routes', 'deny', { protocol: 'tcp', listenPort: denied, remoteAddrs: ['10.0.0.0/8'], backends: [{ upstreamId: 'ua' }] });
    await put('stream-routes', 'allow', { protocol: 'tcp', listenPort: allowed, remoteAddrs: ['10.0.0.0/8', '127.0.0.0/8'], backends: [{ upstreamId: 'ua' }] });
    await waitFor(async () => (await tcpPortOpen(denied)) && (await tcpPortOpen(allowed)), 5000, 'stream ports opened');
    const before = tcp.a.firstBytes.length;
    const c = await connect(denied);
    await expect(c.ask('let me in', 2000)).rejects.toThrow(/closed before a reply/);
    expect(tcp.a.firstBytes.length).toBe(before);
    expect(await (await connect(allowed)).ask('ok')).toBe('a:ok');
    await del('stream-routes', 'deny');
    await del('stream-routes', 'allow');
  });

  it('closes a connection that stays quiet past the idle timeout', async () => {
    const port = await freePort();
    await put('stream-routes', 'idle', { protocol: 'tcp', listenPort: port, timeout: 0.4, backends: [{ upstreamId: 'ua' }] });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const c = await connect(port);
    expect(await c.ask('ping')).toBe('a:ping');
    const quietSince = Date.now();
    await waitFor(() => c.closed, 5000, 'idle connection closed');
    expect(Date.now() - quietSince).toBeGreaterThanOrEqual(350);
    await del('stream-routes', 'idle');
  });

  it("rejects a route on a port that is taken, or is the gateway's own, and keeps serving the rest", async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const taken = (holder.address() as net.AddressInfo).port;
    const good = await freePort();
    await put('stream-routes', 'taken', { protocol: 'tcp', listenPort: taken, backends: [{ upstreamId: 'ua' }] });
    await put('stream-routes', 'own', { protocol: 'tcp', listenPort: dp.ports.http!, backends: [{ upstreamId: 'ua' }] });
    await put('stream-routes', 'good', { protocol: 'tcp', listenPort: good, backends: [{ upstreamId: 'ub' }] });
    await waitFor(
      async () => {
        const rejected = await rejectedDocuments(dp.ports.status!);
        // The good route's port opens on its own schedule: wait for it too before using it.
        return /EADDRINUSE/.test(rejected['stream-routes/taken'] ?? '') && /HTTP\/HTTPS/.test(rejected['stream-routes/own'] ?? '') && (await tcpPortOpen(good));
      },
      // Generous: a loaded CI machine (the whole suite on 2 cores) has taken over 5 s here.
      15_000,
      'both routes rejected and the good one open',
    );
    expect(await (await connect(good)).ask('fine')).toBe('b:fine');
    expect(dp.child.exitCode).toBeNull();
    holder.close();
    for (const id of ['taken', 'own', 'good']) await del('stream-routes', id);
    await waitFor(async () => Object.keys(await rejectedDocuments(dp.ports.status!)).length === 0, 5000, 'rejections cleared');
  });
});

describe('udp stream routes', () => {
  it('gives each of many clients its own session and only its own replies', async () => {
    const port = await freePort();
    await put('stream-routes', 'dns', { protocol: 'udp', listenPort: port, timeout: 30, upstream: { nodes: [node(udp.u.port)] } });
    const clients = await openUdpClients(20);
    const { sockets, replies } = clients;
    try {
      await clients.greet(port);
      for (let round = 0; round < 5; round++) sockets.forEach((s, i) => s.send(`c${i}-m${round}`, port, '127.0.0.1'));
      await waitFor(() => replies.every((r) => r.filter((m) => m.includes('-m')).length === 5), 5000, 'all replies');
      replies.forEach((r, i) => {
        for (const m of r) expect(m).toMatch(new RegExp(`^u:c${i}-`));
      });
      // One upstream socket per client session.
      expect(udp.u.peers.size).toBe(20);
    } finally {
      clients.close();
      await del('stream-routes', 'dns');
    }
  });
});

describe('tls passthrough stream routes', () => {
  it('routes two SNIs on one port to two TLS upstreams whose own certificates the client sees', async () => {
    const port = await freePort();
    await put('stream-routes', 'tls-a', { protocol: 'tls', listenPort: port, sni: 'a.test', upstream: { nodes: [node(tcp.tlsA.port)] } });
    await put('stream-routes', 'tls-b', { protocol: 'tls', listenPort: port, sni: 'b.test', upstream: { nodes: [node(tcp.tlsB.port)] } });
    await waitFor(
      async () => {
        try {
          const c = await connect(port, { tls: { servername: 'b.test' } });
          return (await c.ask('up', 1000)) === 'tls-b:up';
        } catch {
          return false;
        }
      },
      5000,
      'tls port routing',
    );
    for (const [sni, name] of [
      ['a.test', 'tls-a'],
      ['b.test', 'tls-b'],
    ] as const) {
      const c = await connect(port, { tls: { servername: sni, ca: certs.ca, rejectUnauthorized: true } });
      expect((c.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN).toBe(sni);
      expect(await c.ask('hi')).toBe(`${name}:hi`);
    }
    // An SNI with no route and no default route gets no connection.
    await expect(connect(port, { tls: { servername: 'c.test' } })).rejects.toThrow();
    await del('stream-routes', 'tls-a');
    await del('stream-routes', 'tls-b');
  });
});
