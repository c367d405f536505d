// The APISIX-compatible admin API (`/apisix/admin/...` on the admin port) driven with the request
// bodies of APISIX's own documentation, each test citing its page (apache/apisix at f519a0f,
// docs/en/latest/...), answered in APISIX's shapes, and judged by what the data plane then serves.
// The documentation's upstream nodes (127.0.0.1:1980, :1981, :1982, :1995) are this test's echo
// servers: the bodies are the documented ones with those ports replaced.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { askWhenOpen, makeCerts, startTcpEcho, type TcpEcho, type TestCerts } from './stream-fixtures.js';

const KEY = 'test-key';
let etcd: TestEtcd;
let cp: GatewayProcess;
let dp: GatewayProcess;
let e1980: EchoServer;
let e1981: EchoServer;
let e1982: EchoServer;
let tcp1995: TcpEcho;
let certs: TestCerts;
let httpsPort: number;

/** A documented body with the documentation's upstream ports made this test's. */
function documented(body: unknown): unknown {
  return JSON.parse(
    JSON.stringify(body)
      .replace(/127\.0\.0\.1:1980/g, `127.0.0.1:${e1980.port}`)
      .replace(/127\.0\.0\.1:1981/g, `127.0.0.1:${e1981.port}`)
      .replace(/127\.0\.0\.1:1982/g, `127.0.0.1:${e1982.port}`)
      .replace(/127\.0\.0\.1:1995/g, `127.0.0.1:${tcp1995.port}`),
  );
}

async function apisix(method: string, path: string, body?: unknown, key: string | null = KEY): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${cp.ports.admin}/apisix/admin${path}`, {
    method,
    headers: { ...(key === null ? {} : { 'X-API-KEY': key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

interface Answer {
  status: number;
  server?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  peerCn?: string;
}

function request(host: string, path: string, opts: { method?: string; headers?: Record<string, string>; tls?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = opts.tls ? https : http;
    const req = lib.request(
      {
        host: '127.0.0.1',
        port: opts.tls ? httpsPort : dp.ports.http,
        path,
        method: opts.method ?? 'GET',
        headers: { host, ...opts.headers },
        agent: false,
        ...(opts.tls ? { servername: host, ca: certs.ca } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let echo: { server?: string; url?: string } = {};
          try {
            echo = res.headers['x-upstream'] ? JSON.parse(text) : {};
          } catch {
            /* not an echo */
          }
          resolve({
            status: res.statusCode!,
            server: echo.server,
            url: echo.url,
            headers: res.headers,
            peerCn: opts.tls ? String((res.socket as TLSSocket).getPeerCertificate().subject?.CN) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function served(host: string, path: string, ok: (a: Answer) => boolean, opts: Parameters<typeof request>[2] = {}): Promise<Answer> {
  let last: Answer | undefined;
  await waitFor(async () => ok((last = await request(host, path, opts))), 15_000, `${host}${path}: last ${last?.status} ${last?.server}`);
  return last!;
}

beforeAll(async () => {
  etcd = await startEtcd();
  [e1980, e1981, e1982, tcp1995] = await Promise.all([startHttpEcho('1980'), startHttpEcho('1981'), startHttpEcho('1982'), startTcpEcho('1995')]);
  certs = makeCerts(['t.com']);
  httpsPort = await freePort();
  const prefix = etcd.prefix('apisix-admin');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, 'admin-key': KEY, 'viewer-key': 'viewer-key' }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, 'https-port': httpsPort }),
  ]);
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  await Promise.all([e1980?.close(), e1981?.close(), e1982?.close(), tcp1995?.close()]);
  certs?.cleanup();
  await etcd?.stop();
});

describe('APISIX admin API', () => {
  it('checks X-API-KEY as APISIX does (admin-api.md "Configuration"): 401 failed to check token', async () => {
    expect(await apisix('GET', '/routes', undefined, null)).toEqual({
      status: 401,
      body: { error_msg: 'failed to check token', description: expect.any(String) },
    });
    expect((await apisix('GET', '/routes', undefined, 'wrong')).status).toBe(401);
    expect((await apisix('GET', '/routes', undefined, 'viewer-key')).status).toBe(200);
    expect((await apisix('PUT', '/upstreams/v', { nodes: { '127.0.0.1:1': 1 } }, 'viewer-key')).status).toBe(401);
    expect(await apisix('GET', '/protos')).toEqual({ status: 404, body: { error_msg: 'Unsupported resource type: protos' } });
    expect(await apisix('GET', '/routes/nope')).toEqual({ status: 404, body: { message: 'Key not found' } });
  });

  it('upstreams: create, then PATCH nodes in, weights up, nodes out, and nodes replaced by sub path (admin-api.md "Upstream" → "Create an Upstream and modify the data in nodes")', async () => {
    const created = await apisix('PUT', '/upstreams/100', documented({ type: 'roundrobin', nodes: { '127.0.0.1:1980': 1 } }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      key: '/apisix/upstreams/100',
      value: { id: '100', type: 'roundrobin', nodes: documented({ '127.0.0.1:1980': 1 }), create_time: expect.any(Number), update_time: expect.any(Number) },
      createdIndex: expect.any(Number),
      modifiedIndex: created.body.createdIndex,
    });
    const nodes = async () => (await apisix('GET', '/upstreams/100')).body.value.nodes;
    expect((await apisix('PATCH', '/upstreams/100', documented({ nodes: { '127.0.0.1:1981': 1 } }))).status).toBe(200);
    expect(await nodes()).toEqual(documented({ '127.0.0.1:1980': 1, '127.0.0.1:1981': 1 }));
    await apisix('PATCH', '/upstreams/100', documented({ nodes: { '127.0.0.1:1981': 10 } }));
    expect(await nodes()).toEqual(documented({ '127.0.0.1:1980': 1, '127.0.0.1:1981': 10 }));
    await apisix('PATCH', '/upstreams/100', documented({ nodes: { '127.0.0.1:1980': null } }));
    expect(await nodes()).toEqual(documented({ '127.0.0.1:1981': 10 }));
    await apisix('PATCH', '/upstreams/100/nodes', documented({ '127.0.0.1:1982': 1 }));
    expect(await nodes()).toEqual(documented({ '127.0.0.1:1982': 1 }));
    const listed = await apisix('GET', '/upstreams');
    expect(listed.body).toMatchObject({ total: 1, list: [{ key: '/apisix/upstreams/100', value: { id: '100' } }] });
  });

  it('routes: the documented route serves, PATCH disables and enables it, a sub path replaces methods (admin-api.md "Route" → "Example API usage")', async () => {
    const body = documented({
      uri: '/index.html',
      hosts: ['foo.com', '*.bar.com'],
      remote_addrs: ['127.0.0.0/8'],
      methods: ['PUT', 'GET'],
      enable_websocket: true,
      upstream: { type: 'roundrobin', nodes: { '127.0.0.1:1980': 1 } },
    });
    const created = await apisix('PUT', '/routes/1', body);
    expect(created.status).toBe(201);
    expect(created.body.value).toEqual({ id: '1', ...(body as object), create_time: expect.any(Number), update_time: expect.any(Number) });
    expect((await served('foo.com', '/index.html', (a) => a.status === 200)).server).toBe('1980');
    expect((await request('a.bar.com', '/index.html')).server).toBe('1980');
    expect((await request('foo.com', '/index.html', { method: 'POST' })).status).toBe(404);
    expect((await request('foo.com', '/other.html')).status).toBe(404);

    expect((await apisix('PATCH', '/routes/1', { status: 0 })).body.value.status).toBe(0);
    await served('foo.com', '/index.html', (a) => a.status === 404);
    await apisix('PATCH', '/routes/1', { status: 1 });
    await served('foo.com', '/index.html', (a) => a.status === 200);
    expect((await apisix('PATCH', '/routes/1/methods', ['POST', 'DELETE', 'PATCH'])).body.value.methods).toEqual(['POST', 'DELETE', 'PATCH']);
    await served('foo.com', '/index.html', (a) => a.status === 404);
    expect((await request('foo.com', '/index.html', { method: 'DELETE' })).server).toBe('1980');
  });

  it('refuses what Sluice cannot honour in APISIX\'s error shape, naming the field (admin-api.md "Route" → "Request Body Parameters": filter_func, script)', async () => {
    const refused = await apisix('PUT', '/routes/2', {
      uri: '/x',
      filter_func: 'function(vars) return tonumber(vars.arg_userid) % 4 > 2; end',
      upstream_id: '100',
    });
    expect(refused).toEqual({
      status: 400,
      body: { error_msg: expect.stringMatching(/^invalid configuration: filter_func: is not supported: Lua code is not run by Sluice/) },
    });
    const plugin = await apisix('PUT', '/routes/2', {
      uri: '/x',
      upstream_id: '100',
      plugins: { 'limit-count': { count: 2, time_window: 60, rejected_code: 503, key: 'remote_addr', unknown_knob: 1 } },
    });
    expect(plugin.body.error_msg).toMatch(/plugins\.limit-count\.unknown_knob/);
    expect((await apisix('PUT', '/routes/2', { uri: '/x', upstream_id: '100' }, KEY)).status).toBe(201);
    expect((await apisix('PUT', '/routes/2', { uri: '/x', upstream_id: '100' }, KEY).then(() => apisix('GET', '/routes/2'))).body.value.upstream_id).toBe(
      '100',
    );
    expect((await apisix('PUT', '/routes/3?ttl=60', { uri: '/aa/index.html', upstream_id: '100' })).body.error_msg).toMatch(/^invalid configuration: ttl:/);
  });

  it('refuses to delete an upstream in use (admin-api.md "Force Delete")', async () => {
    await apisix('PUT', '/upstreams/1', documented({ nodes: { '127.0.0.1:1980': 1 }, type: 'roundrobin' }));
    await apisix('PUT', '/routes/10', { uri: '/*', upstream_id: 1 });
    expect(await apisix('DELETE', '/upstreams/1')).toEqual({
      status: 400,
      body: { error_msg: 'can not delete this upstream, route [10] is still using it now' },
    });
    expect(await apisix('DELETE', '/routes/10')).toEqual({ status: 200, body: { deleted: '10', key: '/apisix/routes/10' } });
    expect((await apisix('DELETE', '/upstreams/1')).body).toEqual({ deleted: '1', key: '/apisix/upstreams/1' });
  });

  it('services: routes naming service 200 take its upstream and its limit-count (terminology/service.md)', async () => {
    const service = await apisix(
      'PUT',
      '/services/200',
      documented({
        plugins: { 'limit-count': { count: 2, time_window: 60, rejected_code: 503, key: 'remote_addr' } },
        upstream: { type: 'roundrobin', nodes: { '127.0.0.1:1980': 1 } },
      }),
    );
    expect(service.status).toBe(201);
    expect((await apisix('PUT', '/routes/100', { methods: ['GET'], uri: '/index.html', service_id: '200', hosts: ['svc.example'] })).status).toBe(201);
    expect(
      (
        await apisix('PUT', '/routes/102', {
          uri: '/bar/index.html',
          id: '102',
          service_id: '200',
          hosts: ['svc.example'],
          plugins: { 'limit-count': { count: 2000, time_window: 60, rejected_code: 503, key: 'remote_addr' } },
        })
      ).status,
    ).toBe(201);
    expect((await served('svc.example', '/index.html', (a) => a.status === 200)).server).toBe('1980');
    const statuses = [(await request('svc.example', '/index.html')).status, (await request('svc.example', '/index.html')).status];
    expect(statuses).toContain(503);
    // Route 102's own limit-count (2000) replaces the service's.
    for (let i = 0; i < 4; i++) expect((await request('svc.example', '/bar/index.html')).status).toBe(200);
    // A change to the service reaches its routes (admin-api.md "Service" → "Replace upstream nodes of the Service").
    await apisix('PATCH', '/services/200/upstream/nodes', documented({ '127.0.0.1:1982': 1 }));
    await served('svc.example', '/bar/index.html', (a) => a.server === '1982');
    expect((await apisix('DELETE', '/services/200')).body.error_msg).toMatch(/can not delete this service, route \[10[02]\]/);
  });

  it('consumers and plugin_configs: key-auth with the documented consumer jack, limit-count from plugin config 1 (admin-api.md "Consumer", terminology/plugin-config.md)', async () => {
    const jack = await apisix('PUT', '/consumers', {
      username: 'jack',
      plugins: { 'key-auth': { key: 'auth-one' }, 'limit-count': { count: 2, time_window: 60, rejected_code: 503, key: 'remote_addr' } },
    });
    expect(jack.status).toBe(201);
    expect(jack.body).toMatchObject({ key: '/apisix/consumers/jack', value: { username: 'jack', plugins: { 'key-auth': { key: 'auth-one' } } } });
    expect(
      (await apisix('PUT', '/plugin_configs/1', { desc: 'blah', plugins: { 'limit-count': { count: 2, time_window: 60, rejected_code: 503 } } })).status,
    ).toBe(201);
    expect(
      (
        await apisix(
          'PUT',
          '/routes/20',
          documented({
            uris: ['/index.html'],
            hosts: ['auth.example'],
            plugin_config_id: 1,
            plugins: { 'key-auth': {} },
            upstream: { type: 'roundrobin', nodes: { '127.0.0.1:1981': 1 } },
          }),
        )
      ).status,
    ).toBe(201);
    expect((await served('auth.example', '/index.html', (a) => a.status === 401)).status).toBe(401);
    expect((await request('auth.example', '/index.html', { headers: { apikey: 'auth-one' } })).server).toBe('1981');
  });

  it('global_rules: the documented limit-count applies to every route (terminology/global-rule.md)', async () => {
    await apisix(
      'PUT',
      '/routes/30',
      documented({ uri: '/global', hosts: ['global.example'], upstream: { nodes: { '127.0.0.1:1980': 1 }, type: 'roundrobin' } }),
    );
    await served('global.example', '/global', (a) => a.status === 200);
    const rule = await apisix('PUT', '/global_rules/1', {
      plugins: { 'limit-count': { time_window: 60, policy: 'local', count: 2, key: 'remote_addr', rejected_code: 503 } },
    });
    expect(rule.status).toBe(201);
    await served('global.example', '/global', (a) => a.status === 503);
    expect((await apisix('GET', '/global_rules')).body).toMatchObject({
      total: 1,
      list: [{ key: '/apisix/global_rules/1', value: { plugins: { 'limit-count': { time_window: 60, count: 2, rejected_code: 503 } } } }],
    });
    expect((await apisix('DELETE', '/global_rules/1')).status).toBe(200);
    await served('global.example', '/global', (a) => a.status === 200);
  });

  it('ssls: the certificate serves its SNI, and the key is never read back (admin-api.md "SSL")', async () => {
    const pem = certs.leaf('t.com');
    const created = await apisix('PUT', '/ssls/1', { id: '1', cert: pem.cert, key: pem.key, snis: ['t.com'] });
    expect(created.status).toBe(201);
    expect(created.body.value).toEqual({ id: '1', cert: pem.cert, snis: ['t.com'], create_time: expect.any(Number), update_time: expect.any(Number) });
    await apisix('PUT', '/routes/40', documented({ uri: '/*', hosts: ['t.com'], upstream: { nodes: { '127.0.0.1:1980': 1 }, type: 'roundrobin' } }));
    const answer = await served('t.com', '/', (a) => a.status === 200, { tls: true });
    expect(answer.peerCn).toBe('t.com');
    expect((await apisix('GET', '/ssls/1')).body.value.key).toBeUndefined();
  });

  it('stream_routes: a TCP port proxied to 1995 (stream-proxy.md); server_addr refused with the reason', async () => {
    const port = await freePort();
    const refused = await apisix(
      'PUT',
      '/stream_routes/1',
      documented({ server_addr: '127.0.0.1', server_port: port, upstream: { nodes: { '127.0.0.1:1995': 1 }, type: 'roundrobin' } }),
    );
    expect(refused.body.error_msg).toMatch(/^invalid configuration: server_addr: is not supported: Routes are per port/);
    expect(
      (await apisix('PUT', '/stream_routes/1', documented({ server_port: port, upstream: { nodes: { '127.0.0.1:1995': 1 }, type: 'roundrobin' } }))).status,
    ).toBe(201);
    expect(await askWhenOpen(port, 'hello')).toBe('1995:hello');
  });
});
