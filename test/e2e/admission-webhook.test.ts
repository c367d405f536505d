// The real `gateway webhook` process over HTTPS, answering real admission.k8s.io/v1
// AdmissionReview requests as the API server sends them: allowed ones echo the uid, refused
// ones carry the reason (snippet, bad regex, invalid annotation value, bad plugin config,
// conflicting RoutePolicy), judged in the context of a folder of manifests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { killChild } from '../helpers/kill-child.js';
import { waitFor } from '../helpers/ports.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { gatewayBin } from '../helpers/processes.js';

let pki: TestPki;
let dir: string;
let child: ChildProcess;
let port: number;
let output = '';

const existing = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: sluice}
spec: {controller: sluice.dev/gateway-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  ingressClassName: sluice
  rules: [{http: {paths: [{path: /shop, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}}]
---
apiVersion: sluice.dev/v1alpha1
kind: RoutePolicy
metadata: {name: shop-auth, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  targetRefs: [{group: networking.k8s.io, kind: Ingress, name: shop}]
  plugins: {key-auth: {}}
`;

beforeAll(async () => {
  pki = makeTestPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-webhook-'));
  fs.writeFileSync(path.join(dir, 'existing.yaml'), existing);
  child = spawn(
    process.execPath,
    [gatewayBin, 'webhook', '--webhook-port', '0', '--host', '127.0.0.1', '--webhook-cert', pki.serverCert, '--webhook-key', pki.serverKey, '--manifests', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GATEWAY_LOG_LEVEL: 'warn' },
    },
  );
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => /webhook: listening on port (\d+)/.test(output) || child.exitCode !== null, 20_000, 'webhook listening');
  const m = /webhook: listening on port (\d+)/.exec(output);
  if (!m) throw new Error(`webhook did not start: ${output}`);
  port = Number(m[1]);
});

afterAll(async () => {
  await killChild(child);
  pki?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** POST over HTTPS, verifying the server certificate against the test CA (as the API server does with caBundle). */
function post(body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: fs.readFileSync(pki.ca), headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let uid = 0;
async function review(kind: { group: string; version: string; kind: string }, object: Record<string, unknown>) {
  const request = { uid: `uid-${++uid}-${kind.kind}`, kind, resource: {}, operation: 'CREATE', namespace: 'default', object, dryRun: false };
  const { status, json } = await post(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }));
  expect(status).toBe(200);
  expect(json.apiVersion).toBe('admission.k8s.io/v1');
  expect(json.kind).toBe('AdmissionReview');
  expect(json.response.uid).toBe(request.uid);
  return json.response as { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };
}

const INGRESS = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' };
const POLICY = { group: 'sluice.dev', version: 'v1alpha1', kind: 'RoutePolicy' };
const HTTPROUTE = { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute' };

const ingress = (name: string, annotations: Record<string, string>, pathValue = '/api') => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, annotations },
  spec: {
    ingressClassName: 'sluice',
    rules: [{ http: { paths: [{ path: pathValue, pathType: 'ImplementationSpecific', backend: { service: { name: 'api', port: { number: 80 } } } }] } }],
  },
});
const policy = (name: string, plugins: Record<string, unknown>, target = 'shop') => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'RoutePolicy',
  metadata: { name },
  spec: { targetRefs: [{ group: 'networking.k8s.io', kind: 'Ingress', name: target }], plugins },
});

describe('gateway webhook', () => {
  it('allows a good Ingress, echoing the uid, with a warning for an unknown annotation', async () => {
    const res = await review(INGRESS, ingress('good', { 'nginx.ingress.kubernetes.io/limit-rps': '5', 'nginx.ingress.kubernetes.io/no-such-thing': 'x' }));
    expect(res.allowed).toBe(true);
    expect(res.status).toBeUndefined();
    expect(res.warnings?.join('\n')).toMatch(/no-such-thing is not supported/);
  });

  it('refuses a snippet annotation, with the reason', async () => {
    const res = await review(INGRESS, ingress('snippet', { 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";' }));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(400);
    expect(res.status?.message).toMatch(/configuration-snippet.*snippets are never executed/);
  });

  it('refuses a bad regex path with use-regex', async () => {
    const res = await review(INGRESS, ingress('regex', { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, '/api/(unclosed'));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/not a valid regular expression/);
  });

  it('refuses an invalid annotation value', async () => {
    const res = await review(INGRESS, ingress('rps', { 'nginx.ingress.kubernetes.io/limit-rps': 'lots' }));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/limit-rps ignored: must be an integer/);
  });

  it('allows an Ingress of another class whatever it carries', async () => {
    const other = ingress('nginx-one', { 'nginx.ingress.kubernetes.io/server-snippet': 'x' });
    (other.spec as Record<string, unknown>).ingressClassName = 'nginx';
    expect((await review(INGRESS, other)).allowed).toBe(true);
  });

  it('allows a good RoutePolicy and refuses a bad plugin config with the field', async () => {
    expect((await review(POLICY, policy('limits', { 'limit-count': { count: 10, timeWindow: 60 } }))).allowed).toBe(true);
    const bad = await review(POLICY, policy('broken', { 'limit-count': { count: 'ten', timeWindow: 60 } }));
    expect(bad.allowed).toBe(false);
    expect(bad.status?.message).toMatch(/spec\/plugins\/limit-count\/count must be integer/);
  });

  it('refuses a RoutePolicy that conflicts with an existing one, and warns about a missing target', async () => {
    const conflict = await review(POLICY, policy('second-auth', { 'key-auth': { header: 'x-key' } }));
    expect(conflict.allowed).toBe(false);
    expect(conflict.status?.message).toMatch(/key-auth on Ingress\/default\/shop is already set by the older RoutePolicy default\/shop-auth/);
    // An UPDATE of the existing policy is not a conflict with itself.
    expect((await review(POLICY, policy('shop-auth', { 'key-auth': { header: 'x-key' } }))).allowed).toBe(true);
    const missing = await review(POLICY, policy('later', { cors: {} }, 'not-yet'));
    expect(missing.allowed).toBe(true);
    expect(missing.warnings?.join()).toMatch(/Ingress\/default\/not-yet/);
  });

  it('accepts an HTTPRoute unless it is malformed', async () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' } };
    expect((await review(HTTPROUTE, { ...route, spec: { parentRefs: [{ name: 'edge' }], rules: [] } })).allowed).toBe(true);
    const bad = await review(HTTPROUTE, { ...route, spec: { rules: 'all' } });
    expect(bad.allowed).toBe(false);
    expect(bad.status?.message).toMatch(/spec.rules must be a list/);
  });

  it('answers a body that is not an AdmissionReview with 400, and keeps serving', async () => {
    expect((await post('{not json')).status).toBe(400);
    const res = await post(JSON.stringify({ kind: 'AdmissionReview', request: { kind: INGRESS } }));
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/request.uid/);
    expect((await review(INGRESS, ingress('after', {}))).allowed).toBe(true);
  });
});

describe('webhook metrics', () => {
  it('counts the reviews it answered by kind and verdict, next to process metrics and build info', async () => {
    const allowed = await review(INGRESS, ingress('metrics-ok', {}, '/metrics-ok'));
    expect(allowed.allowed).toBe(true);
    const text = await new Promise<string>((resolve, reject) =>
      https
        .get({ host: '127.0.0.1', port, path: '/metrics', ca: fs.readFileSync(pki.ca) }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve(body));
        })
        .on('error', reject),
    );
    const m = parsePrometheusText(text);
    expect(m.get('sluice_webhook_admission_reviews_total{kind="Ingress",allowed="true"}')).toBeGreaterThanOrEqual(1);
    expect([...m.keys()].some((k) => k.startsWith('sluice_build_info{') && k.includes('component="webhook"'))).toBe(true);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
