// etcd with client TLS and authentication together: the control plane and the data plane work
// with the right CA, client certificate and a user whose role is limited to the gateway's
// prefix, and stop with one clear line (exit 2, no stack, no restart loop) with wrong ones.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Etcd3, Range } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin-client.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { enableEtcdAuth } from '../helpers/enable-etcd-auth.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { gatewayBin, startGateway } from '../helpers/processes.js';
import { putEchoRoute } from '../helpers/put-echo-route.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let pki: TestPki;
let etcd: TestEtcd;
let echo: EchoServer;
const prefix = '/secure-gw';

const tlsFlags = () => ({ 'etcd-cacert': pki.ca, 'etcd-cert': pki.clientCert, 'etcd-key': pki.clientKey });
const goodFlags = () => ({ etcd: etcd.endpoint, prefix, ...tlsFlags(), 'etcd-user': 'gateway', 'etcd-password': 'gw-secret' });

beforeAll(async () => {
  pki = makeTestPki();
  etcd = await startEtcd({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca } });
  echo = await startHttpEcho('secure');
  const credentials = { rootCertificate: fs.readFileSync(pki.ca), certChain: fs.readFileSync(pki.clientCert), privateKey: fs.readFileSync(pki.clientKey) };
  const root = new Etcd3({ hosts: etcd.endpoint, credentials });
  const role = await root.role('gateway').create();
  await role.grant({ permission: 'Readwrite', range: Range.prefix(`${prefix}/`) });
  await root.user('gateway').create('gw-secret');
  await root.user('gateway').addRole('gateway');
  await enableEtcdAuth(root, 'root-secret');
  root.close();
});

afterAll(async () => {
  await echo?.close();
  await etcd?.stop();
  pki?.cleanup();
});

/** Runs a gateway process expected to refuse to start; resolves with its exit code and output. */
function expectRefusal(command: string, flags: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const args = [
    gatewayBin,
    command,
    '--host',
    '127.0.0.1',
    '--admin-port',
    '0',
    '--http-port',
    '0',
    '--https-port',
    '0',
    '--status-port',
    '0',
    '--workers',
    '1',
  ];
  for (const [k, v] of Object.entries(flags)) args.push(`--${k}`, v);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('etcd with TLS and auth', () => {
  it('runs the admin API and the data plane with the right CA, certificate, user and password', async () => {
    const admin = await startGateway('control-plane', goodFlags());
    const dp = await startGateway('data-plane', goodFlags());
    try {
      await putEchoRoute(
        adminClient(() => admin.ports.admin),
        echo.port,
      );
      await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/secure`)).status === 200, 15_000, 'route through TLS + auth etcd');
    } finally {
      await Promise.all([dp.stop(), admin.stop()]);
    }
  });

  it.each(['control-plane', 'data-plane'])('%s stops with a clear error on a wrong password', async (command) => {
    const { code, out } = await expectRefusal(command, { ...goodFlags(), 'etcd-password': 'wrong' });
    expect(out).toContain('etcd refused the credentials of --etcd-user gateway');
    expect(out).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  it('the data plane stops with a clear error for a prefix its role may not read', async () => {
    const { code, out } = await expectRefusal('data-plane', { ...goodFlags(), prefix: '/someone-else' });
    expect(out).toContain('etcd user gateway may not read /someone-else/');
    expect(code).toBe(2);
  });

  it('stops with a clear error when a certificate file is missing', async () => {
    const { code, out } = await expectRefusal('control-plane', { ...goodFlags(), 'etcd-cacert': '/nonexistent/ca.pem' });
    expect(out).toContain('--etcd-cacert /nonexistent/ca.pem cannot be read: ENOENT');
    expect(code).toBe(2);
  });

  it('--check reads through TLS and auth', async () => {
    const { code, out } = await expectRefusal('data-plane', { ...goodFlags(), check: 'true' });
    expect(out).toMatch(/routes\s+1 ok/);
    expect(code).toBe(0);
  });
});
