// The plugin features the Gateway API filters need, through a real data plane: several
// mirrors per request (request-mirror targets), per-backend request edits on a weighted split
// (traffic-split proxyRewrite), and redirects built on the request's Host (redirect
// scheme/host/port).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let etcd: TestEtcd;
let admin: GatewayProcess;
let dp: GatewayProcess;
let real: EchoServer;
let v2: EchoServer;
let shadowA: EchoServer;
let shadowB: EchoServer;
/** Request lines and bodies each shadow received. */
const shadowed: Record<string, string[]> = { a: [], b: [] };

const api = adminClient(() => admin?.ports.admin);

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: dp.ports.http, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function recordingShadow(name: 'a' | 'b') {
  return startHttpEcho(`shadow-${name}`, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      shadowed[name].push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      res.writeHead(500);
      res.end('shadow');
    });
    return true;
  });
}

beforeAll(async () => {
  etcd = await startEtcd();
  [real, v2, shadowA, shadowB] = await Promise.all([startHttpEcho('real'), startHttpEcho('v2'), recordingShadow('a'), recordingShadow('b')]);
  const refusingPort = await freePort();
  const prefix = etcd.prefix('gwfilters');
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  const upstreams = { real: real.port, v2: v2.port, 'shadow-a': shadowA.port, 'shadow-b': shadowB.port, down: refusingPort };
  for (const [id, port] of Object.entries(upstreams)) {
    expect((await api('PUT', `/upstreams/${id}`, { nodes: [{ host: '127.0.0.1', port }] })).status).toBe(201);
  }
  const routes: Record<string, object> = {
    mirrors: {
      match: { paths: [{ type: 'prefix', value: '/mirrors' }] },
      backends: [{ upstreamId: 'real' }],
      plugins: { 'request-mirror': { targets: [{ upstreamId: 'down' }, { upstreamId: 'shadow-a' }, { upstreamId: 'shadow-b', path: '/b' }] } },
    },
    split: {
      match: { paths: [{ type: 'prefix', value: '/split' }] },
      backends: [{ upstreamId: 'real' }, { upstreamId: 'v2' }],
      plugins: {
        'proxy-rewrite': { headers: { set: { Backend: 'rule', 'X-Rule': 'yes' } } },
        'traffic-split': {
          rules: [
            {
              weightedUpstreams: [
                { upstreamId: 'real', weight: 1, proxyRewrite: { headers: { set: { Backend: 'real' } } } },
                { upstreamId: 'v2', weight: 1, proxyRewrite: { headers: { set: { Backend: 'v2' } }, regexUri: ['^/split(/.*)?$', '/v2$1'] } },
              ],
            },
          ],
        },
      },
    },
    'to-https': { match: { paths: [{ type: 'prefix', value: '/to-https' }] }, plugins: { redirect: { scheme: 'https', port: 443 } } },
    'to-port': { match: { paths: [{ type: 'prefix', value: '/to-port' }] }, plugins: { redirect: { port: 8083, regexUri: ['^/to-port(/.*)?$', '/p$1'] } } },
  };
  for (const [id, doc] of Object.entries(routes)) {
    const r = await api('PUT', `/routes/${id}`, doc);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  await waitFor(async () => (await send('GET', '/to-port')).status === 302, 15_000, 'routes loaded');
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  await Promise.all([real?.close(), v2?.close(), shadowA?.close(), shadowB?.close()]);
  await etcd?.stop();
});

describe('Gateway API filter plugins', () => {
  it('mirrors one request to several targets; a refusing one harms neither the others nor the client', async () => {
    const res = await send('POST', '/mirrors/x?id=1', { 'content-type': 'text/plain' }, 'hello');
    expect(res.status).toBe(200);
    expect(res.headers['x-upstream']).toBe('real');
    await waitFor(() => shadowed.a.length === 1 && shadowed.b.length === 1, 5_000, 'both mirrors received the request');
    expect(shadowed.a).toEqual(['POST /mirrors/x?id=1 hello']);
    expect(shadowed.b).toEqual(['POST /b?id=1 hello']);
  });

  it("edits each request for the backend it goes to, after the route's own edits", async () => {
    const seen: Record<string, { backend: unknown; rule: unknown; url: unknown }> = {};
    for (let i = 0; i < 6; i++) {
      const res = await send('GET', '/split/x');
      const echo = JSON.parse(res.body);
      seen[echo.server] = { backend: echo.headers.backend, rule: echo.headers['x-rule'], url: echo.url };
    }
    expect(seen).toEqual({
      real: { backend: 'real', rule: 'yes', url: '/split/x' },
      v2: { backend: 'v2', rule: 'yes', url: '/v2/x' },
    });
  });

  it("builds redirects on the request's Host: another scheme drops its port, an explicit port replaces it", async () => {
    const https = await send('GET', '/to-https/a?q=1', { host: 'shop.test:80' });
    expect(https.status).toBe(302);
    expect(https.headers.location).toBe('https://shop.test/to-https/a');
    const port = await send('GET', '/to-port/a', { host: 'shop.test:9080' });
    expect(port.headers.location).toBe('http://shop.test:8083/p/a');
  });
});
