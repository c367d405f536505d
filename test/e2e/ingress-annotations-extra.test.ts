// The later ingress-nginx annotations end to end: manifests → (ingress sync) → etcd → data plane
// process → real upstreams. ssl-passthrough next to a terminated host on the same HTTPS port,
// custom-http-errors with a default backend, proxy-next-upstream on 503, auth-tls on / optional,
// and the ConfigMap's real IP feeding an allowlist.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Etcd3 } from 'etcd3';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRANSLATE_OPTIONS, startIngressSync, type IngressSync } from '../../control-plane/src/start-ingress-sync.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { ingressClass } from './ingress-fixtures.js';
import { makeCerts, type TestCerts } from './stream-fixtures.js';

const N = 'nginx.ingress.kubernetes.io/';
let etcd: TestEtcd;
let client: Etcd3;
let sync: IngressSync;
let dp: GatewayProcess;
let certs: TestCerts;
let dir: string;
let httpsPort: number;
let passBackend: https.Server;
const echoes: EchoServer[] = [];
let shop: EchoServer, app: EchoServer, errors: EchoServer, good: EchoServer, flaky: EchoServer;

const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80 }] },
});
const slice = (svc: string, ports: number[]) =>
  ports.map((port, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-${i}`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  }));
const tlsSecret = (name: string, leaf: { cert: string; key: string }) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: { name, namespace: 'default' },
  stringData: { 'tls.crt': leaf.cert, 'tls.key': leaf.key },
});
const ingress = (name: string, host: string, svc: string, annotations: Record<string, string>, tls?: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    ingressClassName: 'sluice',
    ...(tls ? { tls: [{ hosts: [host], secretName: tls }] } : {}),
    rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { name: 'http' } } } }] } }],
  },
});

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** CN of the certificate the client saw (HTTPS only). */
  peer?: string;
}

function plain(host: string, p: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: dp.ports.http, path: p, headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function secure(host: string, p: string, clientCert?: { cert: string; key: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: httpsPort, path: p, servername: host, headers: { host }, ca: certs.ca, agent: false, ...(clientCert ?? {}) },
      (res) => {
        const peer = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers, peer }));
      },
    );
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const echoed = (a: Answer) => JSON.parse(a.body) as { server: string; url: string; headers: Record<string, string> };

beforeAll(async () => {
  etcd = await startEtcd();
  certs = makeCerts(['passthrough.example', 'shop.example', 'mtls.example', 'opt.example', 'client']);
  shop = await startHttpEcho('shop');
  app = await startHttpEcho('app', (req, res) => {
    if (!req.url?.startsWith('/oops')) return false;
    res.writeHead(503, { 'x-upstream': 'app' });
    res.end('app is down');
    return true;
  });
  errors = await startHttpEcho('errors', (req, res) => {
    res.writeHead(Number(req.headers['x-code'] ?? 500), { 'content-type': 'application/json', 'x-upstream': 'errors' });
    res.end(JSON.stringify({ server: 'errors', url: req.url, headers: req.headers }));
    return true;
  });
  good = await startHttpEcho('good');
  flaky = await startHttpEcho('flaky', (_req, res) => {
    res.writeHead(503, { 'x-upstream': 'flaky' });
    res.end('busy');
    return true;
  });
  echoes.push(shop, app, errors, good, flaky);
  // The passed-through backend terminates TLS itself, with its own certificate.
  passBackend = https.createServer(certs.leaf('passthrough.example'), (_req, res) => res.end('from the passthrough backend'));
  await new Promise<void>((r) => passBackend.listen(0, '127.0.0.1', r));

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ingress-extra-'));
  const objects = [
    ingressClass,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sluice-config', namespace: 'default' },
      data: { 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '127.0.0.1/32' },
    },
    ...['pass', 'shop', 'app', 'errors', 'flaky', 'realip'].map(service),
    ...slice('pass', [(passBackend.address() as AddressInfo).port]),
    ...slice('shop', [shop.port]),
    ...slice('realip', [shop.port]),
    ...slice('app', [app.port]),
    ...slice('errors', [errors.port]),
    ...slice('flaky', [flaky.port, good.port]),
    tlsSecret('shop-tls', certs.leaf('shop.example')),
    tlsSecret('mtls-tls', certs.leaf('mtls.example')),
    tlsSecret('opt-tls', certs.leaf('opt.example')),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'client-ca', namespace: 'default' }, stringData: { 'ca.crt': certs.ca } },
    ingress('pass', 'passthrough.example', 'pass', { [`${N}ssl-passthrough`]: 'true' }),
    ingress('shop', 'shop.example', 'shop', {}, 'shop-tls'),
    ingress('errors', 'errors.example', 'app', { [`${N}custom-http-errors`]: '404,503', [`${N}default-backend`]: 'errors' }),
    ingress('retry', 'retry.example', 'flaky', { [`${N}proxy-next-upstream`]: 'error timeout http_503', [`${N}proxy-next-upstream-tries`]: '3' }),
    ingress(
      'mtls',
      'mtls.example',
      'shop',
      { [`${N}auth-tls-secret`]: 'default/client-ca', [`${N}auth-tls-pass-certificate-to-upstream`]: 'true' },
      'mtls-tls',
    ),
    ingress('opt', 'opt.example', 'shop', { [`${N}auth-tls-secret`]: 'default/client-ca', [`${N}auth-tls-verify-client`]: 'optional' }, 'opt-tls'),
    ingress('realip', 'realip.example', 'realip', { [`${N}allowlist-source-range`]: '203.0.113.0/24' }),
  ];
  fs.writeFileSync(path.join(dir, 'all.yaml'), objects.map((o) => YAML.stringify(o)).join('---\n'));

  httpsPort = await freePort();
  const prefix = etcd.prefix('ingress-extra');
  client = new Etcd3({ hosts: etcd.endpoint });
  [sync, dp] = await Promise.all([
    startIngressSync({ etcd: client, prefix, manifests: dir, translate: { ...DEFAULT_TRANSLATE_OPTIONS, httpsPort, configMap: 'default/sluice-config' } }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, 'https-port': httpsPort }),
  ]);
  await waitFor(async () => (await plain('errors.example', '/fine')).status === 200, 15_000, 'Ingresses served');
  await waitFor(async () => (await secure('passthrough.example', '/')).peer === 'passthrough.example', 15_000, 'passthrough served');
}, 60_000);

afterAll(async () => {
  await dp?.stop();
  await sync?.close();
  client?.close();
  await Promise.all(echoes.map((e) => e.close()));
  passBackend?.closeAllConnections();
  await new Promise<void>((r) => (passBackend ? passBackend.close(() => r()) : r()));
  await etcd?.stop();
  certs?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ingress-nginx annotations through the gateway', () => {
  it("ssl-passthrough: the backend's own certificate through the HTTPS port, while another host is terminated there", async () => {
    const passed = await secure('passthrough.example', '/');
    expect(passed).toMatchObject({ status: 200, body: 'from the passthrough backend', peer: 'passthrough.example' });
    const terminated = await secure('shop.example', '/x');
    expect(terminated.peer).toBe('shop.example');
    expect(echoed(terminated)).toMatchObject({ server: 'shop', url: '/x', headers: { 'x-forwarded-proto': 'https' } });
  });

  it('custom-http-errors: a listed upstream status is answered by the default backend, with the ingress-nginx headers', async () => {
    const fine = await plain('errors.example', '/fine');
    expect(echoed(fine).server).toBe('app');
    const replaced = await plain('errors.example', '/oops?q=1', { accept: 'text/html' });
    expect(replaced.status).toBe(503);
    expect(replaced.headers['x-upstream']).toBe('errors');
    const seen = echoed(replaced);
    expect(seen.url).toBe('/');
    expect(seen.headers).toMatchObject({
      'x-code': '503',
      'x-format': 'text/html',
      'x-original-uri': '/oops?q=1',
      'x-namespace': 'default',
      'x-ingress-name': 'errors',
      'x-service-name': 'app',
      'x-service-port': 'http',
    });
    expect(seen.headers['x-request-id']).toMatch(/./);
  });

  it('proxy-next-upstream http_503: a 503 from one endpoint is retried on the other', async () => {
    const before = flaky.count;
    const answers = await Promise.all(Array.from({ length: 8 }, () => plain('retry.example', '/')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.every((a) => a.headers['x-upstream'] === 'good')).toBe(true);
    expect(flaky.count - before).toBeGreaterThan(0);
  });

  it('auth-tls verify on: no client certificate, no connection; a signed one passes with the ssl-client-* headers', async () => {
    await expect(secure('mtls.example', '/')).rejects.toThrow();
    const ok = await secure('mtls.example', '/', certs.leaf('client'));
    expect(ok.status).toBe(200);
    const headers = echoed(ok).headers;
    expect(headers['ssl-client-verify']).toBe('SUCCESS');
    expect(headers['ssl-client-subject-dn']).toBe('CN=client');
    expect(headers['ssl-client-issuer-dn']).toBe('CN=sluice-stream-ca');
    expect(decodeURIComponent(headers['ssl-client-cert']!)).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('auth-tls verify optional: clients without a certificate get in, and the upstream is told', async () => {
    const without = await secure('opt.example', '/');
    expect(without.status).toBe(200);
    expect(echoed(without).headers['ssl-client-verify']).toBe('NONE');
    expect(echoed(without).headers['ssl-client-cert']).toBeUndefined();
    const withCert = await secure('opt.example', '/', certs.leaf('client'));
    expect(echoed(withCert).headers['ssl-client-verify']).toBe('SUCCESS');
  });

  it('real IP from X-Forwarded-For (ConfigMap use-forwarded-headers): the allowlist judges the real client', async () => {
    expect((await plain('realip.example', '/', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await plain('realip.example', '/', { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' })).status).toBe(403);
    expect((await plain('realip.example', '/')).status).toBe(403);
  });
});
