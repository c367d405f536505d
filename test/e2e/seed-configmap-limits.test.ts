// Seed 002, "全局配置": the global ConfigMap's header buffers apply live. A 20 KiB request head
// gets 431 against the default 16 KiB limit; once the ConfigMap (saved in the manifests folder)
// says `client-header-buffer-size: 32k` and `large-client-header-buffers: 4 32k`, the same request
// passes, with no restart. The control plane turns those keys into the ConfigMap's global rule
// (`client-traffic.maxHeaderSize`, golden case configmap-client-limits); the data plane's front
// applies it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const seeds = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed-examples');
let gw: GatewayProcess;
let echo: EchoServer;
let dir: string;

const save = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, `.${name}.tmp`), text);
  fs.renameSync(path.join(dir, `.${name}.tmp`), path.join(dir, name));
};

/** The status of a GET for ngdemo.qikqiak.com with these extra headers. */
function get(headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: gw.ports.http, path: '/', headers: { host: 'ngdemo.qikqiak.com', ...headers }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  // The upstream must take a 20 KiB head itself (node:http's default is 16 KiB), or its own 431 comes back.
  echo = await startHttpEcho('my-nginx', undefined, { maxHeaderSize: 64 * 1024 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-seed-limits-'));
  save('ingressclass.yaml', fs.readFileSync(path.join(seeds, '002-ingress-class-nginx/ingressclass.yaml'), 'utf8'));
  save('my-nginx.yaml', fs.readFileSync(path.join(seeds, '002-my-nginx/my-nginx.yaml'), 'utf8'));
  save(
    'endpoints.yaml',
    YAML.stringify({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'my-nginx-seed', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'] }],
      ports: [{ name: 'http', port: echo.port }],
    }),
  );
  gw = await startGateway('up', {
    manifests: dir,
    'no-example': true,
    'ingress-class': 'nginx',
    'controller-name': 'k8s.io/ingress-nginx',
    configmap: 'ingress-nginx/ingress-nginx-controller',
  });
  await waitFor(async () => (await get()) === 200, 15_000, 'my-nginx served');
});

afterAll(async () => {
  await gw?.stop();
  await echo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the global ConfigMap's header buffers, live", () => {
  it('a 20 KiB head gets 431 by default, then passes once the ConfigMap raises the limit', async () => {
    // A head of about 20 KiB (one 20,000-byte header), as a large cookie or JWT makes it.
    const bigHead = () => get({ 'x-big': 'b'.repeat(20_000) });
    expect(await bigHead()).toBe(431);
    save('configmap.yaml', fs.readFileSync(path.join(seeds, '002-global-configmap/configmap.yaml'), 'utf8'));
    await waitFor(async () => (await bigHead()) === 200, 15_000, 'the 20 KiB head passing after the ConfigMap change');
  });
});
