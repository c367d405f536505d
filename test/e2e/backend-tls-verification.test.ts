// TLS toward upstreams as BackendTLSPolicy and a Gateway's backend client certificate ask for
// it: subject-alt-name verification (502 on a mismatch), the client certificate shown on
// HTTP/1.1 and HTTP/2 upstream connections, and stream routes re-encrypting to a TLS upstream
// (behind a TLS Terminate listener and on a plain TCP port) in a real data-plane process.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { FRONTS, json, request, startProxy, type TestProxy } from './proxy-harness.js';
import { tcpPortOpen } from './stream-fixtures.js';

interface Pki {
  ca: string;
  /** DNS:abc.example.com, URI:spiffe://abc.example.com/test-identity, DNS:*.wild.example.com */
  backend: { cert: string; key: string };
  /** DNS:tls.example.com: the TLS Terminate listener's own certificate. */
  front: { cert: string; key: string };
  /** CN sluice-client, clientAuth: the certificate the gateway shows to backends. */
  client: { cert: string; key: string };
  /** A CA that signed none of them. */
  otherCa: string;
  cleanup(): void;
}

function makePki(): Pki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-backend-tls-'));
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
    );
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, ext: string) => {
    fs.writeFileSync(f(`${name}.ext`), ext);
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.crt`),
    );
    return { cert: fs.readFileSync(f(`${name}.crt`), 'utf8'), key: fs.readFileSync(f(`${name}.key`), 'utf8') };
  };
  return {
    ca: fs.readFileSync(f('ca.crt'), 'utf8'),
    otherCa: fs.readFileSync(f('other-ca.crt'), 'utf8'),
    backend: leaf(
      'backend',
      'subjectAltName=DNS:abc.example.com,URI:spiffe://abc.example.com/test-identity,DNS:*.wild.example.com\nextendedKeyUsage=serverAuth\n',
    ),
    front: leaf('front', 'subjectAltName=DNS:tls.example.com\nextendedKeyUsage=serverAuth\n'),
    client: leaf('sluice-client', 'extendedKeyUsage=clientAuth\n'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The CN of the certificate a TLS peer showed, or '' when it showed none. */
function peerName(socket: tls.TLSSocket): string {
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' ? cn : '';
}

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.cleanup());

describe.each(FRONTS)('HTTP proxy: upstream TLS verification and client certificate (%s front)', (front) => {
  let upstream: http2.Http2SecureServer;
  let proxy: TestProxy;

  beforeAll(async () => {
    // Asks for a client certificate (and accepts none), answers with what it saw.
    upstream = http2.createSecureServer({ ...pki.backend, allowHTTP1: true, requestCert: true, rejectUnauthorized: false, ca: pki.ca }, (req, res) => {
      const socket = req.socket as tls.TLSSocket;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ servername: socket.servername, version: req.httpVersion, peer: peerName(socket), authorized: socket.authorized }));
    });
    upstream.on('secureConnection', (s: tls.TLSSocket) => s.on('error', () => undefined));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as net.AddressInfo).port;
    const nodes = [{ host: '127.0.0.1', port }];
    const verified = (subjectAltNames?: { type: 'Hostname' | 'URI'; value: string }[], sni = 'abc.example.com') => ({
      scheme: 'https' as const,
      nodes,
      tls: { verify: true, sni, ca: pki.ca, ...(subjectAltNames ? { subjectAltNames } : {}) },
    });
    const prefix = (value: string) => ({ match: { paths: [{ type: 'prefix' as const, value }] } });
    proxy = await startProxy(
      [
        { id: 'san-dns', route: prefix('/san-dns'), upstream: verified([{ type: 'Hostname', value: 'abc.example.com' }]) },
        { id: 'san-dns-bad', route: prefix('/bad-dns'), upstream: verified([{ type: 'Hostname', value: 'dce.example.com' }]) },
        // With subjectAltNames the SNI is only sent: a name the certificate lacks is fine here.
        {
          id: 'san-uri',
          route: prefix('/san-uri'),
          upstream: verified([{ type: 'URI', value: 'spiffe://abc.example.com/test-identity' }], 'unlisted.example.com'),
        },
        { id: 'san-uri-bad', route: prefix('/bad-uri'), upstream: verified([{ type: 'URI', value: 'spiffe://def.example.com/test-identity' }]) },
        {
          id: 'san-wild',
          route: prefix('/san-wild'),
          upstream: verified([
            { type: 'URI', value: 'spiffe://x/y' },
            { type: 'Hostname', value: 'a.wild.example.com' },
          ]),
        },
        { id: 'no-sans', route: prefix('/no-sans'), upstream: verified(undefined, 'unlisted.example.com') },
        {
          id: 'client-h1',
          route: prefix('/client-h1'),
          upstream: { ...verified(), tls: { ...verified().tls, clientCert: pki.client.cert, clientKey: pki.client.key } },
        },
        {
          id: 'client-h2',
          route: prefix('/client-h2'),
          upstream: { ...verified(), scheme: 'h2', tls: { ...verified().tls, clientCert: pki.client.cert, clientKey: pki.client.key } },
        },
        { id: 'no-client', route: prefix('/no-client'), upstream: verified() },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy?.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('accepts a certificate by one of the subject alternative names, Hostname or URI', async () => {
    for (const p of ['/san-dns', '/san-uri', '/san-wild']) {
      const r = await request(`${proxy.url}${p}`);
      expect(r.status, p).toBe(200);
    }
    expect(json((await request(`${proxy.url}/san-uri`)).body).servername).toBe('unlisted.example.com');
  });

  it('answers 502 when the certificate has none of the subject alternative names, or lacks the server name', async () => {
    for (const p of ['/bad-dns', '/bad-uri', '/no-sans']) {
      const r = await request(`${proxy.url}${p}`);
      expect(r.status, p).toBe(502);
    }
  });

  it('shows the client certificate on HTTP/1.1 and HTTP/2 upstream connections, and none when there is none', async () => {
    const h1 = json((await request(`${proxy.url}/client-h1`)).body);
    expect(h1).toMatchObject({ peer: 'sluice-client', authorized: true, servername: 'abc.example.com', version: '1.1' });
    const h2 = json((await request(`${proxy.url}/client-h2`)).body);
    expect(h2).toMatchObject({ peer: 'sluice-client', authorized: true, servername: 'abc.example.com', version: '2.0' });
    expect(json((await request(`${proxy.url}/no-client`)).body)).toMatchObject({ peer: '', authorized: false });
  });
});

describe('stream routes to TLS upstreams (data-plane process)', () => {
  let etcd: TestEtcd;
  let client: Etcd3;
  let prefix: string;
  let dp: GatewayProcess;
  let backend: tls.Server;
  const open = new Set<net.Socket>();
  let terminatePort: number;
  let plainPort: number;
  let badPort: number;

  const put = (collection: string, id: string, doc: object) => client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));

  beforeAll(async () => {
    // Answers every chunk with `<SNI>|<client certificate CN>|<chunk>`.
    backend = tls.createServer({ ...pki.backend, requestCert: true, rejectUnauthorized: false, ca: pki.ca }, (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (d: Buffer) => socket.write(`${socket.servername}|${peerName(socket)}|${d.toString()}`));
    });
    backend.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const node = { host: '127.0.0.1', port: (backend.address() as net.AddressInfo).port, weight: 1 };
    const tlsUpstream = (extra: object) => ({ scheme: 'https', nodes: [node], tls: { verify: true, sni: 'abc.example.com', ca: pki.ca, ...extra } });

    etcd = await startEtcd();
    client = new Etcd3({ hosts: etcd.endpoint });
    prefix = etcd.prefix('backend-tls');
    [terminatePort, plainPort, badPort] = [await freePort(), await freePort(), await freePort()];
    await put('ssls', 'front', { snis: ['tls.example.com'], ...pki.front });
    await put('listeners', 'terminate', {
      gateway: { namespace: 'default', name: 'gw' },
      address: '127.0.0.1',
      port: terminatePort,
      protocol: 'TLS',
      hostname: 'tls.example.com',
      tls: { mode: 'Terminate', sslIds: ['front'] },
    });
    await put('stream-routes', 'reencrypt', {
      protocol: 'tls',
      listenPort: terminatePort,
      sni: 'tls.example.com',
      listener: 'terminate',
      upstream: tlsUpstream({ clientCert: pki.client.cert, clientKey: pki.client.key }),
    });
    await put('stream-routes', 'plain-to-tls', {
      protocol: 'tcp',
      listenPort: plainPort,
      upstream: tlsUpstream({ subjectAltNames: [{ type: 'URI', value: 'spiffe://abc.example.com/test-identity' }] }),
    });
    await put('stream-routes', 'wrong-ca', { protocol: 'tcp', listenPort: badPort, upstream: tlsUpstream({ ca: pki.otherCa }) });
    dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
    await waitFor(
      async () => (await tcpPortOpen(terminatePort)) && (await tcpPortOpen(plainPort)) && (await tcpPortOpen(badPort)),
      15_000,
      'stream ports open',
    );
  }, 60_000);

  afterAll(async () => {
    await dp?.stop();
    client?.close();
    for (const s of open) s.destroy();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await etcd?.stop();
  });

  /** Sends `msg` over `socket` and resolves with everything read until `expect`ed length or the close. */
  function exchange(socket: net.Socket, msg: string): Promise<{ reply: string; closed: boolean }> {
    return new Promise((resolve) => {
      let reply = '';
      const timer = setTimeout(() => done(false), 5000);
      const done = (closed: boolean) => {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        resolve({ reply, closed });
      };
      socket.on('data', (d: Buffer) => {
        reply += d.toString();
        if (reply.endsWith(msg)) done(false);
      });
      socket.once('close', () => done(true));
      socket.on('error', () => undefined);
      socket.write(msg);
    });
  }

  it('terminates TLS on the listener and re-encrypts to the upstream with its SNI, CA and client certificate', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: terminatePort, servername: 'tls.example.com', ca: pki.ca });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(await exchange(socket, 'ping')).toEqual({ reply: 'abc.example.com|sluice-client|ping', closed: false });
    expect((await exchange(socket, 'again')).reply).toBe('abc.example.com|sluice-client|again');
    socket.destroy();
  });

  it('connects a plain TCP route to a TLS upstream verified by its URI subject alternative name', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: plainPort });
    expect((await exchange(socket, 'hello')).reply).toBe('abc.example.com||hello');
    socket.destroy();
  });

  it('closes the client connection when the upstream certificate does not verify', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: badPort });
    expect(await exchange(socket, 'hello')).toEqual({ reply: '', closed: true });
  });
});
