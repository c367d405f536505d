// Gateway API listeners served live by a real `gateway data-plane` process: listener documents
// written straight into a real etcd open sockets on loopback addresses (127.0.1.x) with
// --port-map, routes attached to listeners are served only there, HTTPS listeners pick their
// own certificates by SNI and answer 421 to misdirected HTTP/2 requests, and TCP, UDP and TLS
// passthrough listeners carry their stream routes.
import dgram from 'node:dgram';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { makeCerts, rejectedDocuments, startTcpEcho, startUdpEcho, type TcpEcho, type TestCerts, type UdpEcho } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let certs: TestCerts;
const echo: Record<string, EchoServer> = {};
let tcpEcho: TcpEcho;
let tlsEcho: TcpEcho;
let udpEcho: UdpEcho;
/** Bound ports of the declared 80 and 443 (--port-map), and unmapped stream ports. */
let p80: number;
let p443: number;
let pStream: number;
let pPass: number;

const gateway = (name: string) => ({ namespace: 'default', name });
const node = (port: number) => ({ host: '127.0.0.1', port, weight: 1 });

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}
async function del(collection: string, id: string) {
  await client.delete().key(`${prefix}/${collection}/${id}`);
}

/** One HTTP/1.1 request on a fresh connection to `address:port` with the given Host. */
function get(address: string, port: number, path: string, host?: string): Promise<{ status: number; server?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port, path, agent: false, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, server: res.headers['x-upstream'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/2 request over TLS with `servername` as SNI and `authority` as :authority. */
async function getH2(
  address: string,
  port: number,
  servername: string,
  authority: string,
  path = '/',
): Promise<{ status: number; server?: string; certName?: string }> {
  const session = http2.connect(`https://${address}:${port}`, { servername, ca: certs.ca });
  try {
    return await new Promise((resolve, reject) => {
      session.once('error', reject);
      const req = session.request({ ':path': path, ':authority': authority });
      req.on('response', (headers) => {
        req.resume();
        req.on('end', () => {
          const peer = (session.socket as tls.TLSSocket).getPeerCertificate();
          resolve({ status: headers[':status'] as number, server: headers['x-upstream'] as string | undefined, certName: peer.subject?.CN });
        });
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

function tcpOpen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends `msg` on a new connection and resolves with the first reply (or '' when the connection closes without one). */
function ask(socket: net.Socket, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (d) => resolve(d.toString()));
    socket.once('close', () => resolve(''));
    socket.once('error', reject);
    socket.write(msg);
  });
}

async function status(): Promise<{ listeners: Array<Record<string, unknown>> }> {
  const res = await fetch(`http://127.0.0.1:${dp.ports.status}/status`);
  return (await res.json()) as { listeners: Array<Record<string, unknown>> };
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('gw-listeners');
  certs = makeCerts(['example.test', 'second.test', 'pass.test']);
  for (const name of ['v1', 'v2', 'v3', 'main']) echo[name] = await startHttpEcho(name);
  tcpEcho = await startTcpEcho('tcp');
  tlsEcho = await startTcpEcho('tls', { tls: certs.leaf('pass.test') });
  udpEcho = await startUdpEcho('udp');
  [p80, p443, pStream, pPass] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  for (const name of ['v1', 'v2', 'v3', 'main']) await put('upstreams', `u-${name}`, { nodes: [node(echo[name].port)] });

  // Two Gateways on their own addresses, both declaring port 80; the first has a second listener with a hostname.
  await put('listeners', 'gw1-http', { gateway: gateway('gw1'), address: '127.0.1.1', port: 80, protocol: 'HTTP' });
  await put('listeners', 'gw1-named', { gateway: gateway('gw1'), address: '127.0.1.1', port: 80, protocol: 'HTTP', hostname: 'named.test' });
  await put('listeners', 'gw2-http', { gateway: gateway('gw2'), address: '127.0.1.2', port: 80, protocol: 'HTTP', hostname: '*.two.test' });
  await put('routes', 'r-gw1', { match: { paths: [{ type: 'prefix', value: '/gw' }] }, listeners: ['gw1-http'], backends: [{ upstreamId: 'u-v1' }] });
  await put('routes', 'r-named', { match: { paths: [{ type: 'prefix', value: '/gw' }] }, listeners: ['gw1-named'], backends: [{ upstreamId: 'u-v3' }] });
  await put('routes', 'r-gw2', { match: { paths: [{ type: 'prefix', value: '/gw' }] }, listeners: ['gw2-http'], backends: [{ upstreamId: 'u-v2' }] });
  await put('routes', 'r-main', { match: { paths: [{ type: 'prefix', value: '/main' }] }, backends: [{ upstreamId: 'u-main' }] });

  // HTTPS: one listener without hostname, one for second.test, each with its own certificate.
  const a = certs.leaf('example.test');
  const b = certs.leaf('second.test');
  await put('ssls', 'ssl-a', { snis: ['*'], cert: a.cert, key: a.key });
  await put('ssls', 'ssl-b', { snis: ['second.test'], cert: b.cert, key: b.key });
  await put('listeners', 'gw3-https', {
    gateway: gateway('gw3'),
    address: '127.0.1.3',
    port: 443,
    protocol: 'HTTPS',
    tls: { mode: 'Terminate', sslIds: ['ssl-a'] },
  });
  await put('listeners', 'gw3-second', {
    gateway: gateway('gw3'),
    address: '127.0.1.3',
    port: 443,
    protocol: 'HTTPS',
    hostname: 'second.test',
    tls: { mode: 'Terminate', sslIds: ['ssl-b'] },
  });
  await put('routes', 'r-https', {
    match: { hosts: ['example.test'], paths: [{ type: 'prefix', value: '/' }] },
    listeners: ['gw3-https'],
    backends: [{ upstreamId: 'u-v1' }],
  });
  await put('routes', 'r-second', { listeners: ['gw3-second'], backends: [{ upstreamId: 'u-v2' }] });

  // Streams: TCP and UDP on the same port number of 127.0.1.4, TLS passthrough on 127.0.1.5.
  await put('listeners', 'gw4-tcp', { gateway: gateway('gw4'), address: '127.0.1.4', port: pStream, protocol: 'TCP' });
  await put('listeners', 'gw4-udp', { gateway: gateway('gw4'), address: '127.0.1.4', port: pStream, protocol: 'UDP' });
  await put('listeners', 'gw5-pass', { gateway: gateway('gw5'), address: '127.0.1.5', port: pPass, protocol: 'TLS', tls: { mode: 'Passthrough' } });
  await put('stream-routes', 's-tcp', { protocol: 'tcp', listenPort: pStream, listener: 'gw4-tcp', upstream: { nodes: [node(tcpEcho.port)] } });
  await put('stream-routes', 's-udp', { protocol: 'udp', listenPort: pStream, listener: 'gw4-udp', upstream: { nodes: [node(udpEcho.port)] } });
  await put('stream-routes', 's-pass', {
    protocol: 'tls',
    listenPort: pPass,
    sni: 'pass.test',
    listener: 'gw5-pass',
    upstream: { nodes: [node(tlsEcho.port)] },
  });

  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, 'port-map': `80:${p80},443:${p443}` });
  await waitFor(async () => (await status()).listeners.filter((l) => l.state === 'open').length === 8, 15_000, 'every listener open');
}, 60_000);

afterAll(async () => {
  await dp?.stop();
  client?.close();
  await Promise.all([...Object.values(echo), tcpEcho, tlsEcho, udpEcho].map((s) => s?.close()));
  certs?.cleanup();
  await etcd?.stop();
});

describe('HTTP listeners', () => {
  it('serves two Gateways that both declare port 80 each on its own address, with their own routes', async () => {
    expect(await get('127.0.1.1', p80, '/gw', 'a.test')).toEqual({ status: 200, server: 'v1' });
    expect(await get('127.0.1.2', p80, '/gw', 'x.two.test')).toEqual({ status: 200, server: 'v2' });
    // Port 80 itself is not bound: the port map sent it elsewhere.
    expect((await status()).listeners).toContainEqual(
      expect.objectContaining({ id: 'gw1-http', address: '127.0.1.1', port: 80, boundPort: p80, protocol: 'HTTP', state: 'open' }),
    );
  });

  it('serves a route attached to a listener only there, and a route without listeners only on the main port', async () => {
    expect((await get('127.0.0.1', dp.ports.http!, '/gw', 'a.test')).status).toBe(404);
    expect(await get('127.0.0.1', dp.ports.http!, '/main')).toEqual({ status: 200, server: 'main' });
    expect((await get('127.0.1.1', p80, '/main', 'a.test')).status).toBe(404);
  });

  it('restricts requests by the listener hostname: the most specific listener wins, a Host no listener takes gets 404', async () => {
    expect(await get('127.0.1.1', p80, '/gw', 'named.test:80')).toEqual({ status: 200, server: 'v3' });
    expect(await get('127.0.1.1', p80, '/gw', 'other.test')).toEqual({ status: 200, server: 'v1' });
    expect(await get('127.0.1.2', p80, '/gw', 'deep.x.two.test')).toEqual({ status: 200, server: 'v2' });
    expect((await get('127.0.1.2', p80, '/gw', 'two.test')).status).toBe(404);
    expect((await get('127.0.1.2', p80, '/gw', 'named.test')).status).toBe(404);
  });

  it('speaks h2c with prior knowledge on a listener port, routed by the listener', async () => {
    const session = http2.connect(`http://127.0.1.1:${p80}`);
    try {
      const result = await new Promise<{ status: number; server: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/gw', ':authority': 'named.test' });
        req.on('response', (h) => {
          req.resume();
          req.on('end', () => resolve({ status: h[':status'] as number, server: h['x-upstream'] as string }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(result).toEqual({ status: 200, server: 'v3' });
    } finally {
      session.close();
    }
  });
});

describe('HTTPS listeners', () => {
  it('terminates with the certificate of the listener the SNI selects and serves its routes', async () => {
    expect(await getH2('127.0.1.3', p443, 'example.test', 'example.test')).toEqual({ status: 200, server: 'v1', certName: 'example.test' });
    expect(await getH2('127.0.1.3', p443, 'second.test', 'second.test')).toEqual({ status: 200, server: 'v2', certName: 'second.test' });
    // A host the default listener takes but no route of it matches: 404, not 421.
    expect((await getH2('127.0.1.3', p443, 'example.test', 'unknown.test')).status).toBe(404);
  });

  it('answers 421 when the HTTP/2 :authority selects another listener than the SNI did', async () => {
    expect((await getH2('127.0.1.3', p443, 'example.test', 'second.test')).status).toBe(421);
    expect((await getH2('127.0.1.3', p443, 'second.test', 'example.test')).status).toBe(421);
  });

  it('serves HTTP/1.1 over TLS by ALPN too', async () => {
    const result = await new Promise<{ status: number; server: string }>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.1.3', port: p443, path: '/', servername: 'second.test', headers: { host: 'second.test' }, ca: certs.ca, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, server: res.headers['x-upstream'] as string }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(result).toEqual({ status: 200, server: 'v2' });
  });
});

describe('stream listeners', () => {
  it('carries TCP and UDP stream routes on their listeners, bound at the Gateway address only', async () => {
    const socket = net.connect({ host: '127.0.1.4', port: pStream });
    await new Promise((r) => socket.once('connect', r));
    expect(await ask(socket, 'hello')).toBe('tcp:hello');
    socket.destroy();
    expect(await tcpOpen('127.0.0.1', pStream)).toBe(false);

    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const replies: string[] = [];
    udp.on('message', (m) => replies.push(m.toString()));
    try {
      await waitFor(
        () => {
          if (replies.length === 0) udp.send('ping', pStream, '127.0.1.4');
          return replies.length > 0;
        },
        5000,
        'udp reply',
      );
      expect(replies[0]).toBe('udp:ping');
    } finally {
      udp.close();
    }
  });

  it('passes TLS through by SNI on a TLS Passthrough listener and closes unknown names', async () => {
    const socket = tls.connect({ host: '127.0.1.5', port: pPass, servername: 'pass.test', ca: certs.ca });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(socket.getPeerCertificate().subject.CN).toBe('pass.test');
    expect(await ask(socket, 'x')).toBe('tls:x');
    socket.destroy();
    const other = tls.connect({ host: '127.0.1.5', port: pPass, servername: 'other.test', rejectUnauthorized: false });
    const outcome = await new Promise<string>((resolve) => {
      other.once('secureConnect', () => resolve('connected'));
      other.once('error', () => resolve('refused'));
      other.once('close', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('listener lifecycle', () => {
  it('closes a deleted listener socket and opens it again when re-added', async () => {
    await del('listeners', 'gw2-http');
    await waitFor(async () => !(await tcpOpen('127.0.1.2', p80)), 5000, 'listener socket closed');
    // The other Gateway on the same declared port is untouched.
    expect(await get('127.0.1.1', p80, '/gw', 'a.test')).toEqual({ status: 200, server: 'v1' });
    expect(await rejectedDocuments(dp.ports.status!)).toHaveProperty('routes/r-gw2');
    await put('listeners', 'gw2-http', { gateway: gateway('gw2'), address: '127.0.1.2', port: 80, protocol: 'HTTP', hostname: '*.two.test' });
    await waitFor(async () => (await get('127.0.1.2', p80, '/gw', 'x.two.test').catch(() => ({ status: 0 }))).status === 200, 5000, 'listener serving again');
  });

  it('rejects a listener whose port is taken and keeps serving the rest', async () => {
    const squatter = net.createServer();
    const taken = await freePort();
    await new Promise<void>((r) => squatter.listen(taken, '127.0.1.6', r));
    try {
      await put('listeners', 'gw6-taken', { gateway: gateway('gw6'), address: '127.0.1.6', port: taken, protocol: 'HTTP' });
      await waitFor(async () => 'listeners/gw6-taken' in (await rejectedDocuments(dp.ports.status!)), 5000, 'listener rejected');
      const reason = (await rejectedDocuments(dp.ports.status!))['listeners/gw6-taken'];
      expect(reason).toMatch(/EADDRINUSE/);
      expect((await status()).listeners).toContainEqual(expect.objectContaining({ id: 'gw6-taken', state: 'failed' }));
      expect(await get('127.0.1.1', p80, '/gw', 'a.test')).toEqual({ status: 200, server: 'v1' });
      expect(await get('127.0.0.1', dp.ports.http!, '/main')).toEqual({ status: 200, server: 'main' });
    } finally {
      squatter.close();
      await del('listeners', 'gw6-taken');
    }
  });

  it('keeps a listener moved to a taken port serving where it was, reported rejected, until it can move', async () => {
    const squatter = net.createServer();
    const taken = await freePort();
    await new Promise<void>((r) => squatter.listen(taken, '127.0.1.1', r));
    const named = { gateway: gateway('gw1'), address: '127.0.1.1', port: 80, protocol: 'HTTP', hostname: 'named.test' };
    try {
      await put('listeners', 'gw1-named', { ...named, port: taken });
      await waitFor(async () => /EADDRINUSE/.test((await rejectedDocuments(dp.ports.status!))['listeners/gw1-named'] ?? ''), 5000, 'moved listener rejected');
      const reason = (await rejectedDocuments(dp.ports.status!))['listeners/gw1-named'];
      expect(reason).toMatch(/previous version \(revision \d+\) stays in force/);
      // The previous version still serves on the shared port 80 socket, with its route.
      expect(await get('127.0.1.1', p80, '/gw', 'named.test')).toEqual({ status: 200, server: 'v3' });
      expect(await get('127.0.1.1', p80, '/gw', 'a.test')).toEqual({ status: 200, server: 'v1' });
    } finally {
      squatter.close();
      await put('listeners', 'gw1-named', named);
    }
    await waitFor(async () => !('listeners/gw1-named' in (await rejectedDocuments(dp.ports.status!))), 5000, 'rejection cleared');
    expect(await get('127.0.1.1', p80, '/gw', 'named.test')).toEqual({ status: 200, server: 'v3' });
  });
});
