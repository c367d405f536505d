// The heavier stream and TLS checks of issue 6 through a real `gateway data-plane` process and
// real etcd: a 100 MB transfer checked by hash, 50 concurrent UDP clients, PROXY protocol
// accepted from a load balancer in front, SNI among three certificates, and the stream and
// certificate metrics on the status port after that traffic.
import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { proxyProtocolHeader } from '../../data-plane/src/stream/proxy-protocol-header.js';
import { makeCerts, startTcpEcho, startUdpEcho, tcpPortOpen, type TcpEcho, type TestCerts, type UdpEcho, openUdpClients } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let certs: TestCerts;
let echo: TcpEcho;
let udpEcho: UdpEcho;

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}
async function del(collection: string, id: string) {
  await client.delete().key(`${prefix}/${collection}/${id}`);
}
const node = (port: number) => ({ host: '127.0.0.1', port, weight: 1 });

/** Prometheus text from the status port as `name{labels}` → value. */
async function metrics(): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${dp.ports.status}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(sluice_(?:stream|ssl)_[a-z_]+\{[^}]*\}) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Sends raw bytes on a new connection and resolves with what came back: up to `replyEnd`, or until the gateway closes. */
function exchange(port: number, bytes: Buffer, replyEnd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    let reply = '';
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (replyEnd !== undefined && reply.endsWith(replyEnd)) socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('stream-traffic');
  certs = makeCerts(['one.test', '*.wild.test', 'fallback.test']);
  echo = await startTcpEcho('e');
  udpEcho = await startUdpEcho('u');
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
}, 60_000);

afterAll(async () => {
  await dp?.stop();
  client?.close();
  await echo?.close();
  await udpEcho?.close();
  certs?.cleanup();
  await etcd?.stop();
});

describe('bulk TCP', () => {
  it('carries 100 MB each way intact (checked by SHA-256), streamed with bounded memory', async () => {
    // The upstream hashes what it receives and streams the same amount of its own bytes back.
    const total = 100 * 1024 * 1024;
    const sink = net.createServer({ allowHalfOpen: true }, (socket) => {
      const hash = createHash('sha256');
      socket.on('data', (c: Buffer) => hash.update(c));
      socket.on('end', () => {
        const digest = hash.digest('hex');
        pump(socket, total, 9, () => socket.end(`|${digest}`));
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = await freePort();
    await put('stream-routes', 'bulk', { protocol: 'tcp', listenPort: port, upstream: { nodes: [node((sink.address() as net.AddressInfo).port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    try {
      const sent = createHash('sha256');
      const result = await new Promise<{ received: number; downHash: string; upHash: string }>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => pump(socket, total, 7, () => socket.end(), sent));
        const down = createHash('sha256');
        let received = 0;
        let tail = '';
        socket.on('data', (c: Buffer) => {
          // The last 65 bytes are `|<hex digest>`; everything before is the 100 MB answer.
          const joined = tail.length > 0 ? Buffer.concat([Buffer.from(tail, 'latin1'), c]) : c;
          const keep = Math.min(65, joined.length);
          const body = joined.subarray(0, joined.length - keep);
          down.update(body);
          received += body.length;
          tail = joined.subarray(joined.length - keep).toString('latin1');
        });
        socket.on('end', () => resolve({ received, downHash: down.digest('hex'), upHash: tail.slice(1) }));
        socket.on('error', reject);
      });
      const expectedDown = createHash('sha256');
      for (let n = 0; n < total; n += CHUNK) expectedDown.update(chunkOf(9, n));
      expect(result.upHash).toBe(sent.digest('hex'));
      expect(result.received).toBe(total);
      expect(result.downHash).toBe(expectedDown.digest('hex'));
      const m = await metrics();
      expect(m.get('sluice_stream_bytes_total{route="bulk",direction="in"}')).toBeGreaterThanOrEqual(total);
      expect(m.get('sluice_stream_bytes_total{route="bulk",direction="out"}')).toBeGreaterThanOrEqual(total + 65);
    } finally {
      sink.close();
      await del('stream-routes', 'bulk');
    }
  }, 120_000);
});

const CHUNK = 64 * 1024;
/** A 64 KiB chunk whose bytes depend on a seed and its offset, so reordering or loss changes the hash. */
function chunkOf(seed: number, offset: number): Buffer {
  const b = Buffer.alloc(CHUNK, seed);
  b.writeUInt32BE(offset >>> 0, 0);
  return b;
}
/** Writes `total` bytes of chunks with back-pressure, then calls `done`. */
function pump(socket: net.Socket, total: number, seed: number, done: () => void, hash?: ReturnType<typeof createHash>): void {
  let sent = 0;
  const go = () => {
    while (sent < total) {
      const c = chunkOf(seed, sent);
      hash?.update(c);
      sent += c.length;
      if (!socket.write(c)) return void socket.once('drain', go);
    }
    done();
  };
  go();
}

describe('UDP with 50 concurrent clients', () => {
  it('answers each client with only its own replies and counts datagrams and sessions', async () => {
    const port = await freePort();
    await put('stream-routes', 'udp50', { protocol: 'udp', listenPort: port, timeout: 30, upstream: { nodes: [node(udpEcho.port)] } });
    const clients = await openUdpClients(50);
    const { sockets, replies } = clients;
    try {
      await clients.greet(port);
      // Rounds of 50 concurrent datagrams (UDP may drop an unpaced burst in socket buffers, by design).
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        sockets.forEach((s, i) => s.send(`c${i}-m${round}`, port, '127.0.0.1'));
        await waitFor(() => replies.every((r) => r.some((m) => m.endsWith(`-m${round}`))), 5000, `replies of round ${round}`);
      }
      replies.forEach((r, i) => {
        for (const m of r) expect(m).toMatch(new RegExp(`^u:c${i}-`));
        expect(new Set(r.filter((m) => m.includes('-m'))).size).toBe(rounds);
      });
      const m = await metrics();
      const datagramsIn = m.get('sluice_stream_datagrams_total{route="udp50",direction="in"}') ?? 0;
      expect(datagramsIn).toBeGreaterThanOrEqual(50 * (rounds + 1));
      expect(m.get('sluice_stream_datagrams_total{route="udp50",direction="out"}')).toBe(datagramsIn);
      expect(m.get('sluice_stream_udp_sessions_active{route="udp50"}')).toBe(50);
    } finally {
      clients.close();
      await del('stream-routes', 'udp50');
    }
  });
});

describe('PROXY protocol from a load balancer in front', () => {
  it('reads v1 and v2 headers, strips them, checks remoteAddrs against them and passes the client on', async () => {
    const port = await freePort();
    const pp = await startTcpEcho('pp');
    // Only the (pretended) client network is allowed: the real peer, 127.0.0.1, is not.
    await put('stream-routes', 'behind-lb', {
      protocol: 'tcp',
      listenPort: port,
      acceptProxyProtocol: true,
      remoteAddrs: ['203.0.113.0/24', '2001:db8::/32'],
      proxyProtocol: 'v1',
      upstream: { nodes: [node(pp.port)] },
    });
    try {
      await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
      const v1 = Buffer.from('PROXY TCP4 203.0.113.7 198.51.100.1 40001 443\r\n');
      // The upstream echoes what it got: our PROXY header naming the header's client, then the payload, once.
      const reply = await exchange(port, Buffer.concat([v1, Buffer.from('one')]), 'one');
      expect(reply.replace(/pp:/g, '')).toBe('PROXY TCP4 203.0.113.7 198.51.100.1 40001 443\r\none');

      const v2 = proxyProtocolHeader('v2', { remoteAddress: '2001:db8::9', remotePort: 40002, localAddress: '2001:db8::1', localPort: 443 });
      // The header arrives in two pieces, the payload in a third.
      const reply2 = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, async () => {
          socket.write(v2.subarray(0, 10));
          await new Promise((r) => setImmediate(r));
          socket.write(v2.subarray(10));
          await new Promise((r) => setImmediate(r));
          socket.write('two');
        });
        let got = '';
        socket.on('data', (d: Buffer) => {
          got += d.toString('latin1');
          if (got.endsWith('two')) socket.end();
        });
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
      });
      expect(reply2.replace(/pp:/g, '')).toBe('PROXY TCP6 2001:db8::9 2001:db8::1 40002 443\r\ntwo');

      // A client outside remoteAddrs (per its header) and one with no header are both closed unanswered.
      const before = pp.firstBytes.length;
      expect(await exchange(port, Buffer.from('PROXY TCP4 192.0.2.5 198.51.100.1 1 443\r\nx'))).toBe('');
      expect(await exchange(port, Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'))).toBe('');
      expect(pp.firstBytes.length).toBe(before);
      const m = await metrics();
      expect(m.get('sluice_stream_connections_total{route="behind-lb"}')).toBe(2);
      expect(dp.child.exitCode).toBeNull();
    } finally {
      await del('stream-routes', 'behind-lb');
      await pp.close();
    }
  });

  it('counts open connections while they last', async () => {
    const port = await freePort();
    await put('stream-routes', 'gauge', { protocol: 'tcp', listenPort: port, upstream: { nodes: [node(echo.port)] } });
    await waitFor(() => tcpPortOpen(port), 5000, 'stream port opened');
    const open = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port }, () => s.write('hi'));
            s.once('data', () => resolve(s));
          }),
      ),
    );
    // The port probe above was a connection too, so totals start at 4.
    await waitFor(async () => (await metrics()).get('sluice_stream_connections_active{route="gauge"}') === 3, 5000, 'three active');
    expect((await metrics()).get('sluice_stream_connections_total{route="gauge"}')).toBeGreaterThanOrEqual(4);
    for (const s of open) s.destroy();
    await waitFor(async () => (await metrics()).get('sluice_stream_connections_active{route="gauge"}') === 0, 5000, 'none active');
    await del('stream-routes', 'gauge');
  });
});

describe('SNI among three certificates', () => {
  function handshake(servername: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: dp.ports.https!, servername, ca: certs.ca, checkServerIdentity: () => undefined }, () => {
        const cn = socket.getPeerCertificate().subject.CN;
        socket.destroy();
        resolve(cn);
      });
      socket.on('error', reject);
    });
  }

  it('picks the exact name, then the wildcard, then the default, and exports each expiry', async () => {
    await put('ssls', 'one', { snis: ['one.test'], ...certs.leaf('one.test') });
    await put('ssls', 'wild', { snis: ['*.wild.test'], ...certs.leaf('*.wild.test') });
    await put('ssls', 'fallback', { snis: ['*'], ...certs.leaf('fallback.test') });
    await waitFor(async () => (await handshake('nobody.example').catch(() => '')) === 'fallback.test', 5000, 'certificates loaded');
    expect(await handshake('one.test')).toBe('one.test');
    expect(await handshake('api.wild.test')).toBe('*.wild.test');
    expect(await handshake('wild.test')).toBe('fallback.test');
    expect(await handshake('other.test')).toBe('fallback.test');
    const m = await metrics();
    const notAfter = (name: string) => Math.floor(Date.parse(new X509Certificate(certs.leaf(name).cert).validTo) / 1000);
    expect(m.get('sluice_ssl_certificate_expiry_timestamp_seconds{ssl="one",sni="one.test"}')).toBe(notAfter('one.test'));
    expect(m.get('sluice_ssl_certificate_expiry_timestamp_seconds{ssl="wild",sni="*.wild.test"}')).toBe(notAfter('*.wild.test'));
    expect(m.get('sluice_ssl_certificate_expiry_timestamp_seconds{ssl="fallback",sni="*"}')).toBe(notAfter('fallback.test'));
    // Two days from now, as makeCerts signs them.
    expect(notAfter('one.test') - Date.now() / 1000).toBeGreaterThan(86_400);
  });
});
