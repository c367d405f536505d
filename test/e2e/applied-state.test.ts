// "Applied" means "serving": a data plane reports per document whether it serves it, and a
// document whose new version cannot take effect keeps its last good version in force. Real
// etcd, a real `gateway control-plane` and `gateway data-plane`, real sockets (issue 17).
import net from 'node:net';
import tls from 'node:tls';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey } from '@sluice/model';
import { adminClient } from '../helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { askOnce as ask, makeCerts, startTcpEcho, tcpPortOpen, type TcpEcho, type TestCerts } from './stream-fixtures.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let cp: GatewayProcess;
let dp: GatewayProcess;
let echo: TcpEcho;
let web: EchoServer;
let certs: TestCerts;
const holders: net.Server[] = [];
const api = adminClient(() => cp?.ports.admin);

/** A TCP server on a free port that is not the gateway's: the port a stream route cannot have. */
async function holdPort(): Promise<number> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  holders.push(holder);
  return (holder.address() as net.AddressInfo).port;
}

/** The certificate subject CN the HTTPS port presents for `servername`. */
function servedCertificate(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: dp.ports.https!, servername, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('applied-state');
  echo = await startTcpEcho('e');
  web = await startHttpEcho('web');
  certs = makeCerts(['one.test', 'two.test']);
  [dp, cp] = await Promise.all([startGateway('data-plane', { etcd: etcd.endpoint, prefix }), startGateway('control-plane', { etcd: etcd.endpoint, prefix })]);
  await waitFor(async () => (await api('GET', '/dataplanes')).body?.items?.[0]?.listeners !== undefined, 15_000, 'data plane registered');
  expect((await api('PUT', '/upstreams/tcp', { nodes: [{ host: '127.0.0.1', port: echo.port }] })).status).toBe(201);
  expect((await api('PUT', '/upstreams/web', { nodes: [{ host: '127.0.0.1', port: web.port }] })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  for (const holder of holders) holder.close();
  await cp?.stop();
  await dp?.stop();
  client?.close();
  await echo?.close();
  await web?.close();
  certs?.cleanup();
  await etcd?.stop();
});

describe('applied means serving', () => {
  it('a stream route moved onto a held port keeps serving on its old port and is reported rejected', async () => {
    const oldPort = await freePort();
    const created = await api('PUT', '/stream-routes/moving?wait=applied&timeout=10s', {
      protocol: 'tcp',
      listenPort: oldPort,
      backends: [{ upstreamId: 'tcp' }],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-sluice-applied')).toBe('true');
    expect(await ask(oldPort, 'before')).toBe('e:before');

    const taken = await holdPort();
    const moved = await api('PUT', '/stream-routes/moving?wait=applied&timeout=10s', { protocol: 'tcp', listenPort: taken, backends: [{ upstreamId: 'tcp' }] });
    // The write is stored, but the data plane cannot serve it: the wait fails naming why.
    expect(moved.status).toBe(422);
    expect(moved.body.code).toBe('GW_ERR_NOT_APPLIED');
    expect(moved.body.message).toMatch(/EADDRINUSE/);
    expect(moved.body.message).toContain('stream-routes/moving');
    expect(moved.headers.get('x-sluice-applied')).toBe('false');
    expect(Number(moved.headers.get('x-mod-revision'))).toBeGreaterThan(0);
    expect((await api('GET', '/stream-routes/moving')).body.listenPort).toBe(taken);

    // make-before-break: the old socket still serves the previous version.
    expect(await ask(oldPort, 'after')).toBe('e:after');
    expect(dp.child.exitCode).toBeNull();

    const applied = (await api('GET', '/stream-routes/moving/applied')).body;
    expect(applied).toMatchObject({ id: 'moving', applied: false, state: 'rejected' });
    expect(applied.dataplanes).toHaveLength(1);
    expect(applied.dataplanes[0]).toMatchObject({ applied: false, state: 'rejected' });
    expect(applied.dataplanes[0].reason).toMatch(/EADDRINUSE/);
    expect(applied.dataplanes[0].reason).toMatch(/previous version/);

    // The overview's inputs agree: the data plane lists the rejection, the list row says rejected.
    const registration = (await api('GET', '/dataplanes')).body.items[0];
    expect(registration.rejected['stream-routes/moving']).toMatch(/EADDRINUSE/);
    const list = (await api('GET', '/stream-routes')).body;
    expect(list.applied.moving).toMatchObject({ state: 'rejected' });

    // A free port next: it is applied, the old port closes, the new one serves.
    const next = await freePort();
    const fixed = await api('PUT', '/stream-routes/moving?wait=applied&timeout=10s', { protocol: 'tcp', listenPort: next, backends: [{ upstreamId: 'tcp' }] });
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('x-sluice-applied')).toBe('true');
    expect(await ask(next, 'moved')).toBe('e:moved');
    await waitFor(async () => !(await tcpPortOpen(oldPort)), 5000, 'old port closed');
    expect((await api('GET', '/stream-routes/moving/applied')).body).toMatchObject({ applied: true, state: 'applied' });
    expect((await api('GET', '/dataplanes')).body.items[0].rejected?.['stream-routes/moving']).toBeUndefined();
  });

  it('a new stream route on a held port is rejected by ?wait=applied at once, not after the timeout', async () => {
    const taken = await holdPort();
    const started = Date.now();
    const res = await api('PUT', '/stream-routes/never?wait=applied&timeout=20s', { protocol: 'tcp', listenPort: taken, backends: [{ upstreamId: 'tcp' }] });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/EADDRINUSE/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await api('GET', '/stream-routes/never/applied')).body.state).toBe('rejected');
    expect((await api('DELETE', '/stream-routes/never')).status).toBe(200);
  });

  it('an invalid version written to etcd leaves the last good version serving, reported rejected', async () => {
    const put = await api('PUT', '/routes/kept?wait=applied&timeout=10s', {
      match: { paths: [{ type: 'prefix', value: '/kept' }] },
      backends: [{ upstreamId: 'web' }],
    });
    expect(put.headers.get('x-sluice-applied')).toBe('true');
    // Around the admin API (which would refuse it), as a broken controller or a hand edit would.
    await client
      .put(documentKey(prefix, 'routes', 'kept'))
      .value(JSON.stringify({ id: 'kept', match: { paths: [{ type: 'nope', value: '/kept' }] }, backends: [{ upstreamId: 'web' }] }));
    await waitFor(async () => (await api('GET', '/routes/kept/applied')).body.state === 'rejected', 10_000, 'invalid version reported rejected');
    const res = await fetch(`http://127.0.0.1:${dp.ports.http}/kept/x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('web');
    const reason = (await api('GET', '/routes/kept/applied')).body.dataplanes[0].reason as string;
    expect(reason).toMatch(/\/match\/paths\/0\/type/);
    expect(reason).toMatch(/previous version/);
  });

  it('a certificate whose new version does not load keeps the old one served', async () => {
    const one = certs.leaf('one.test');
    expect(
      (await api('PUT', '/ssls/site?wait=applied&timeout=10s', { snis: ['one.test'], cert: one.cert, key: one.key })).headers.get('x-sluice-applied'),
    ).toBe('true');
    expect(await servedCertificate('one.test')).toBe('one.test');
    // A key that does not belong to the certificate: the data plane cannot build a context from it.
    const two = certs.leaf('two.test');
    await client.put(documentKey(prefix, 'ssls', 'site')).value(JSON.stringify({ id: 'site', snis: ['one.test'], cert: two.cert, key: one.key }));
    await waitFor(async () => (await api('GET', '/ssls/site/applied')).body.state === 'rejected', 10_000, 'bad certificate reported rejected');
    expect(await servedCertificate('one.test')).toBe('one.test');
  });

  it('the data plane registration reports no document as pending once everything bound', async () => {
    const registration = (await api('GET', '/dataplanes')).body.items[0];
    expect(registration.pending ?? []).toEqual([]);
  });
});
