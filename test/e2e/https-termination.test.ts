// HTTPS termination on --https-port: certificates chosen by SNI from `ssls` documents in a
// real etcd, served by a real `gateway data-plane` process through the same HTTP front.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, startWsEcho, type EchoServer } from '../helpers/upstreams.js';
import { makeCerts, rejectedDocuments, type TestCerts } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
let certs: TestCerts;
let echo: EchoServer;
let wsEcho: Awaited<ReturnType<typeof startWsEcho>>;

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}
function ssl(names: string[], leaf: string, extra: object = {}) {
  return { snis: names, ...certs.leaf(leaf), ...extra };
}

interface HttpsAnswer {
  status: number;
  cn: string;
  body: { headers: Record<string, string> };
}
function get(servername: string, path = '/', tlsOpts: https.RequestOptions = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: dp.ports.https, path, servername, headers: { host: servername }, ca: certs.ca, agent: false, ...tlsOpts },
      (res) => {
        const cn = (res.socket as TLSSocket).getPeerCertificate().subject.CN;
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, cn, body: JSON.parse(body) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('https');
  certs = makeCerts(['a.test', 'b.test', '*.wild.test', 'c.test', 'm.test', 'client.test', 'default.test']);
  echo = await startHttpEcho('tls-upstream');
  wsEcho = await startWsEcho();
  await put('routes', 'ws', {
    match: { paths: [{ type: 'prefix', value: '/ws' }] },
    upstream: { nodes: [{ host: '127.0.0.1', port: wsEcho.port, weight: 1 }] },
  });
  await put('routes', 'all', { match: { paths: [{ type: 'prefix', value: '/' }] }, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port, weight: 1 }] } });
  await put('ssls', 'a', ssl(['a.test'], 'a.test'));
  await put('ssls', 'b', ssl(['b.test'], 'b.test'));
  await put('ssls', 'wild', ssl(['*.wild.test'], '*.wild.test'));
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  expect(dp.ports.https).toBeGreaterThan(0);
  await waitFor(async () => (await get('a.test')).status === 200, 10_000, 'https config loaded');
});

afterAll(async () => {
  await dp?.stop();
  client?.close();
  await echo?.close();
  await wsEcho?.close();
  certs?.cleanup();
  await etcd?.stop();
});

describe('https termination', () => {
  it('serves each SNI on one port with its own certificate, and tells the upstream it was https', async () => {
    const a = await get('a.test', '/hello');
    expect(a.cn).toBe('a.test');
    expect(a.body.headers['x-forwarded-proto']).toBe('https');
    expect(a.body.headers['x-forwarded-port']).toBe(String(dp.ports.https));
    expect((await get('b.test')).cn).toBe('b.test');
  });

  it('serves a wildcard certificate for names under it', async () => {
    const r = await get('api.wild.test');
    expect(r.status).toBe(200);
    expect(r.cn).toBe('*.wild.test');
  });

  it('refuses the handshake for a name with no certificate, then serves a certificate added live', async () => {
    await expect(get('c.test')).rejects.toThrow();
    await put('ssls', 'c', ssl(['c.test'], 'c.test'));
    await waitFor(async () => (await get('c.test')).cn === 'c.test', 5000, 'new certificate served');
  });

  it('serves the `*` certificate when no name matches, including to clients without SNI', async () => {
    await put('ssls', 'default', ssl(['*'], 'default.test'));
    // The default certificate is not for the name asked, so the client skips the name check.
    const anyName = { checkServerIdentity: () => undefined };
    await waitFor(async () => (await get('nothing.example', '/', anyName)).cn === 'default.test', 5000, 'default certificate served');
    // No SNI at all (servername '' disables it in Node's client).
    const r = await get('', '/', { ...anyName, servername: '', headers: { host: 'x' } });
    expect(r.cn).toBe('default.test');
    expect((await get('a.test')).cn).toBe('a.test');
  });

  it('rejects an ssl document whose key does not match its certificate, alone', async () => {
    await put('ssls', 'bad', { snis: ['bad.test'], cert: certs.leaf('a.test').cert, key: certs.leaf('b.test').key });
    await waitFor(async () => /does not load/.test((await rejectedDocuments(dp.ports.status!))['ssls/bad'] ?? ''), 5000, 'bad ssl rejected');
    expect((await get('a.test')).cn).toBe('a.test');
    expect((await get('c.test')).cn).toBe('c.test');
  });

  it('asks for a client certificate where clientCa is set: accepted with one, refused without', async () => {
    await put('ssls', 'mtls', ssl(['m.test'], 'm.test', { clientCa: certs.ca }));
    const withCert = { ...certs.leaf('client.test') };
    await waitFor(async () => (await get('m.test', '/', withCert)).cn === 'm.test', 5000, 'mtls certificate served');
    await expect(get('m.test')).rejects.toThrow();
    // Other names still need no client certificate.
    expect((await get('b.test')).status).toBe(200);
  });

  it('carries WebSocket over wss through the same routes', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${dp.ports.https}/ws`, { servername: 'a.test', ca: certs.ca, headers: { host: 'a.test' } });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
      ws.send('over tls');
      expect(await reply).toBe('over tls');
    } finally {
      ws.terminate();
    }
  });
});
