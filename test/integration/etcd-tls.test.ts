// etcd over TLS with client certificates: every process connects with --etcd-ca/--etcd-cert/--etcd-key.
import fs from 'node:fs';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin-client.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway } from '../helpers/processes.js';
import { putEchoRoute } from '../helpers/put-echo-route.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let pki: TestPki;
let etcd: TestEtcd;
let echo: EchoServer;
const prefix = '/tls-test';

beforeAll(async () => {
  pki = makeTestPki();
  etcd = await startEtcd({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca } });
  echo = await startHttpEcho('tls-backed');
});

afterAll(async () => {
  await echo?.close();
  await etcd?.stop();
  pki?.cleanup();
});

describe('etcd over TLS', () => {
  it('refuses a client without a certificate', async () => {
    const plain = new Etcd3({
      hosts: etcd.endpoint,
      credentials: { rootCertificate: fs.readFileSync(pki.ca) },
      defaultCallOptions: () => ({ deadline: Date.now() + 2000 }),
    });
    await expect(plain.get('/x').string()).rejects.toThrow();
    plain.close();
  });

  it('runs the admin API and the data plane with --etcd-ca/--etcd-cert/--etcd-key', async () => {
    const tls = { 'etcd-ca': pki.ca, 'etcd-cert': pki.clientCert, 'etcd-key': pki.clientKey };
    const admin = await startGateway('control-plane', { etcd: etcd.endpoint, prefix, ...tls });
    const dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, ...tls });
    try {
      await putEchoRoute(
        adminClient(() => admin.ports.admin),
        echo.port,
      );
      await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/over-tls`)).status === 200, 15_000, 'route over TLS etcd');
    } finally {
      await Promise.all([dp.stop(), admin.stop()]);
    }
  });
});
