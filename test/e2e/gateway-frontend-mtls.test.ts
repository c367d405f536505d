// Frontend client-certificate validation (Gateway API spec.tls.frontend) on Gateway listener
// sockets of a real `gateway data-plane`, from listener documents in a real etcd: `tls.clientCa`
// with clientVerify `on` fails the TLS handshake for a missing or foreign client certificate
// (no HTTP answer at all, README §9.6), `optional` asks for one but lets everyone in, both on one
// socket chosen by SNI; a CA that does not load rejects its listener alone; a policy change
// applies to new connections without re-binding.
import https from 'node:https';
import tls from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { makeCerts, rejectedDocuments, startTcpEcho, type TcpEcho, type TestCerts } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
/** The server certificates and the client certificates of CA "a". */
let pkiA: TestCerts;
/** Another CA with its own client certificate: never trusted by the strict listener. */
let pkiB: TestCerts;
const echo: Record<string, EchoServer> = {};
let p443: number;
/** A TLS Terminate listener with a client CA, piping to a TCP echo. */
let pTerm: number;
let tcpEcho: TcpEcho;
const ADDRESS = '127.0.1.7';

const gateway = { namespace: 'default', name: 'mtls' };

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}

/** `verify`: the ssl-client-verify header the upstream got (client-cert-headers plugin), when it got one. */
type Outcome = { status: number; server?: string; verify?: string } | { error: string };

/** One HTTPS request on a fresh connection, with a client certificate when given. */
function request(servername: string, clientCert?: { cert: string; key: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: ADDRESS, port: p443, path: '/', servername, headers: { host: servername }, ca: pkiA.ca, agent: false, ...clientCert },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          const verify = (JSON.parse(body) as { headers: Record<string, string> }).headers['ssl-client-verify'];
          resolve({ status: res.statusCode!, server: res.headers['x-upstream'] as string | undefined, ...(verify ? { verify } : {}) });
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

const listenerDoc = (hostname: string | undefined, sslId: string, tlsExtra: object) => ({
  gateway,
  address: ADDRESS,
  port: 443,
  protocol: 'HTTPS',
  ...(hostname ? { hostname } : {}),
  tls: { mode: 'Terminate', sslIds: [sslId], ...tlsExtra },
});

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('gw-frontend-mtls');
  pkiA = makeCerts(['strict.test', 'lenient.test', 'client-a']);
  pkiB = makeCerts(['client-b']);
  for (const name of ['strict', 'lenient']) echo[name] = await startHttpEcho(name);
  [p443, pTerm] = await Promise.all([freePort(), freePort()]);
  tcpEcho = await startTcpEcho('tcp');
  for (const name of ['strict', 'lenient']) {
    const leaf = pkiA.leaf(`${name}.test`);
    await put('upstreams', `u-${name}`, { nodes: [{ host: '127.0.0.1', port: echo[name].port, weight: 1 }] });
    await put('ssls', `ssl-${name}`, { snis: [`${name}.test`], cert: leaf.cert, key: leaf.key });
  }
  // One socket: the listener without hostname requires a certificate of CA "a"; lenient.test asks for one of CA "b" but lets everyone in.
  await put('listeners', 'strict', listenerDoc(undefined, 'ssl-strict', { clientCa: pkiA.ca }));
  await put('listeners', 'lenient', listenerDoc('lenient.test', 'ssl-lenient', { clientCa: pkiB.ca, clientVerify: 'optional' }));
  await put('routes', 'r-strict', { listeners: ['strict'], backends: [{ upstreamId: 'u-strict' }] });
  // client-cert-headers tells the upstream what the handshake learnt: proof that the certificate was asked for and checked.
  await put('routes', 'r-lenient', { listeners: ['lenient'], backends: [{ upstreamId: 'u-lenient' }], plugins: { 'client-cert-headers': {} } });

  await put('listeners', 'term', {
    gateway,
    address: ADDRESS,
    port: pTerm,
    protocol: 'TLS',
    tls: { mode: 'Terminate', sslIds: ['ssl-strict'], clientCa: pkiA.ca },
  });
  await put('stream-routes', 's-term', {
    protocol: 'tls',
    listenPort: pTerm,
    listener: 'term',
    upstream: { nodes: [{ host: '127.0.0.1', port: tcpEcho.port, weight: 1 }] },
  });

  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, 'port-map': `443:${p443}` });
  await waitFor(
    async () => {
      const outcome = await request('strict.test', pkiA.leaf('client-a'));
      return 'status' in outcome && outcome.status === 200;
    },
    15_000,
    'strict listener serving',
  );
  await waitFor(
    async () => {
      const body = (await (await fetch(`http://127.0.0.1:${dp.ports.status}/status`)).json()) as { listeners: { state: string }[] };
      return body.listeners.filter((l) => l.state === 'open').length === 3;
    },
    15_000,
    'every listener open',
  );
}, 60_000);

afterAll(async () => {
  await dp?.stop();
  client?.close();
  await Promise.all([...Object.values(echo), tcpEcho].map((s) => s?.close()));
  pkiA?.cleanup();
  pkiB?.cleanup();
  await etcd?.stop();
});

describe('clientVerify on (AllowValidOnly)', () => {
  it('serves a client whose certificate the listener CA signed', async () => {
    expect(await request('strict.test', pkiA.leaf('client-a'))).toEqual({ status: 200, server: 'strict' });
  });

  it('fails the handshake, with no HTTP answer, without a certificate or with one of another CA', async () => {
    // No certificate: TLS 1.3 "certificate required" alert, which also proves the server asked for one.
    expect(await request('strict.test')).toEqual({ error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    const foreign = await request('strict.test', pkiB.leaf('client-b'));
    expect(foreign).toHaveProperty('error');
    expect(foreign).not.toHaveProperty('status');
  });
});

describe('clientVerify optional (AllowInsecureFallback)', () => {
  it('asks for a certificate, checks it against its own CA, and lets clients in whatever the verdict', async () => {
    expect(await request('lenient.test', pkiB.leaf('client-b'))).toEqual({ status: 200, server: 'lenient', verify: 'SUCCESS' });
    // CA "a" is the strict listener's, on the same socket: not trusted here.
    expect(await request('lenient.test', pkiA.leaf('client-a'))).toEqual({ status: 200, server: 'lenient', verify: expect.stringMatching(/^FAILED:/) });
    expect(await request('lenient.test')).toEqual({ status: 200, server: 'lenient', verify: 'NONE' });
  });
});

describe('TLS Terminate listeners', () => {
  /** Sends `x` over TLS to the terminate listener; the echo's answer, or the error. */
  function exchange(clientCert?: { cert: string; key: string }): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: ADDRESS, port: pTerm, servername: 'strict.test', ca: pkiA.ca, ...clientCert }, () => socket.write('x'));
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      socket.once('close', () => resolve('closed'));
    });
  }

  it('pipes only clients with a certificate the listener CA signed', async () => {
    expect(await exchange(pkiA.leaf('client-a'))).toBe('tcp:x');
    expect(await exchange()).toBe('error ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(await exchange(pkiB.leaf('client-b'))).not.toBe('tcp:x');
  });
});

describe('changes and bad input', () => {
  it('applies a stricter policy to new connections on the open socket', async () => {
    await put('listeners', 'lenient', listenerDoc('lenient.test', 'ssl-lenient', { clientCa: pkiB.ca }));
    await waitFor(async () => 'error' in (await request('lenient.test')), 5000, 'lenient listener now strict');
    expect(await request('lenient.test', pkiB.leaf('client-b'))).toEqual({ status: 200, server: 'lenient', verify: 'SUCCESS' });
    expect(await request('lenient.test', pkiA.leaf('client-a'))).toHaveProperty('error');
    // The strict listener on the same socket is untouched.
    expect(await request('strict.test', pkiA.leaf('client-a'))).toEqual({ status: 200, server: 'strict' });
  });

  it('rejects a listener whose CA does not load, and never serves it unchecked', async () => {
    await put(
      'listeners',
      'lenient',
      listenerDoc('lenient.test', 'ssl-lenient', { clientCa: '-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n' }),
    );
    await waitFor(async () => 'listeners/lenient' in (await rejectedDocuments(dp.ports.status!)), 5000, 'listener rejected');
    expect((await rejectedDocuments(dp.ports.status!))['listeners/lenient']).toMatch(/tls.clientCa certificate 1 does not load/);
    expect(await request('strict.test', pkiA.leaf('client-a'))).toEqual({ status: 200, server: 'strict' });
  });
});
