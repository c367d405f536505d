// Plugins as a user configures them: documents written through the admin API (with its
// validation), served by a `gateway data-plane` process, checked with real HTTP requests
// against an echo upstream that reports what it received.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { adminClient, putPluginRoute } from '../helpers/admin-client.js';

let etcd: TestEtcd;
let prefix: string;
let admin: GatewayProcess;
let dp: GatewayProcess;
let echo: EchoServer;

const api = adminClient(() => admin?.ports.admin);

const route = (id: string, prefix: string, plugins: Record<string, unknown>) => putPluginRoute(api, id, prefix, plugins);

async function get(path: string, init: RequestInit = {}) {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

beforeAll(async () => {
  etcd = await startEtcd();
  prefix = etcd.prefix('plugins');
  echo = await startHttpEcho('echo');
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  expect((await api('PUT', '/upstreams/echo', { nodes: [{ host: '127.0.0.1', port: echo.port }] })).status).toBe(201);
  // apr1 hash of "secret" for user "bob" (htpasswd -nbm bob secret).
  const sha = `{SHA}${createHash('sha1').update('letmein').digest('base64')}`;
  expect((await api('PUT', '/consumers/alice', { username: 'alice', plugins: { 'key-auth': { key: 'alice-key' } } })).status).toBe(201);
  expect((await api('PUT', '/consumers/carol', { username: 'carol', plugins: { 'basic-auth': { username: 'carol', password: sha } } })).status).toBe(201);
  await route('key', '/key', { 'key-auth': {} });
  await route('basic', '/basic', { 'basic-auth': { realm: 'shop' } });
  await route('rewrite', '/api', { 'proxy-rewrite': { regexUri: ['^/api/(.*)', '/v2/$1'], headers: { set: { 'X-Api-Version': '2' } } } });
  await route('redirect', '/old', { redirect: { uri: '/new', code: 301 } });
  await route('rr', '/rr', { 'response-rewrite': { statusCode: 202, body: 'replaced', headers: { set: { 'X-Served-By': 'sluice' } } } });
  await route('cors', '/cors', { cors: { allowOrigins: 'https://app.example.com', allowMethods: 'GET,POST', maxAge: 600 } });
  await route('deny', '/deny', { 'ip-restriction': { blacklist: ['127.0.0.0/8', '::1'] } });
  await route('limit', '/limit', { 'limit-count': { count: 3, timeWindow: 60 } });
  await route('rid', '/rid', { 'request-id': { includeInResponse: true } });
  await route('small', '/small', { 'client-control': { maxBodySize: 10 } });
  await route('fault', '/fault', { 'fault-injection': { abort: { httpStatus: 418, body: 'teapot', percentage: 100 } } });
  await route('plain', '/plain', {});
  await route('slow', '/slow', { 'fault-injection': { delay: { duration: 0.4, percentage: 100 } } });
  await waitFor(async () => (await get('/plain')).status === 200 && (await get('/fault')).status === 418, 15_000, 'routes loaded');
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  await echo?.close();
  await etcd?.stop();
});

describe('plugins through the gateway', () => {
  it('key-auth: 401 without a key, the consumer named to the upstream with one', async () => {
    expect((await get('/key')).status).toBe(401);
    expect((await get('/key', { headers: { apikey: 'wrong' } })).status).toBe(401);
    const ok = await get('/key', { headers: { apikey: 'alice-key', 'x-consumer-username': 'mallory' } });
    expect(ok.status).toBe(200);
    expect(ok.json.headers['x-consumer-username']).toBe('alice');
  });

  it('never lets a client claim a consumer on a route without authentication', async () => {
    const r = await get('/plain', { headers: { 'x-consumer-username': 'mallory' } });
    expect(r.json.headers['x-consumer-username']).toBeUndefined();
  });

  it('basic-auth: {SHA} htpasswd password, and WWW-Authenticate on failure', async () => {
    const bad = await get('/basic', { headers: { authorization: `Basic ${Buffer.from('carol:nope').toString('base64')}` } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="shop"');
    const ok = await get('/basic', { headers: { authorization: `Basic ${Buffer.from('carol:letmein').toString('base64')}` } });
    expect(ok.status).toBe(200);
    expect(ok.json.headers['x-consumer-username']).toBe('carol');
  });

  it('proxy-rewrite: regex URI with capture groups and a header, query kept', async () => {
    const r = await get('/api/items/7?x=1');
    expect(r.json.url).toBe('/v2/items/7?x=1');
    expect(r.json.headers['x-api-version']).toBe('2');
  });

  it('redirect and response-rewrite answer without changing the upstream', async () => {
    const red = await get('/old/page');
    expect(red.status).toBe(301);
    expect(red.headers.get('location')).toBe('/new');
    const rr = await get('/rr');
    expect(rr.status).toBe(202);
    expect(rr.text).toBe('replaced');
    expect(rr.headers.get('x-served-by')).toBe('sluice');
  });

  it('cors: answers the preflight and decorates responses', async () => {
    const pre = await get('/cors', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    const normal = await get('/cors', { headers: { origin: 'https://app.example.com' } });
    expect(normal.status).toBe(200);
    expect(normal.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('ip-restriction: 403 for a denied address, and the upstream never sees it', async () => {
    const before = echo.count;
    expect((await get('/deny')).status).toBe(403);
    expect(echo.count).toBe(before);
  });

  it('limit-count: 429 after the count, with quota headers', async () => {
    const statuses: number[] = [];
    let last: Headers | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await get('/limit');
      statuses.push(r.status);
      last = r.headers;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.get('x-ratelimit-limit')).toBe('3');
    expect(last!.get('x-ratelimit-remaining')).toBe('0');
  });

  it('request-id: the same id upstream and in the response', async () => {
    const r = await get('/rid');
    const id = r.headers.get('x-request-id');
    expect(id).toBeTruthy();
    expect(r.json.headers['x-request-id']).toBe(id);
  });

  it('client-control: 413 for a body over maxBodySize; fault-injection aborts', async () => {
    expect((await get('/small', { method: 'POST', body: 'x'.repeat(100) })).status).toBe(413);
    expect((await get('/small', { method: 'POST', body: 'tiny' })).status).toBe(200);
    const f = await get('/fault');
    expect(f.status).toBe(418);
    expect(f.text).toBe('teapot');
  });

  it('refuses a bad plugin config through the admin API, naming the field', async () => {
    const r = await api('PUT', '/routes/bad', { backends: [{ upstreamId: 'echo' }], plugins: { 'limit-count': { count: 'many', timeWindow: 60 } } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('/plugins/limit-count/count');
    const unknown = await api('PUT', '/routes/bad', { backends: [{ upstreamId: 'echo' }], plugins: { 'no-such-plugin': {} } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('/plugins/no-such-plugin');
  });

  it('lists every plugin with its schema', async () => {
    const r = await api('GET', '/plugins');
    const names = (r.body.items ?? r.body).map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['key-auth', 'basic-auth', 'limit-count', 'cors', 'proxy-rewrite']));
  });

  it('fault-injection delays a request by the configured time', async () => {
    const started = performance.now();
    const r = await get('/slow');
    expect(r.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('refuses a malformed config of every plugin, naming the plugin', async () => {
    const listed = await api('GET', '/plugins');
    const names: string[] = (listed.body.items ?? listed.body).map((p: { name: string }) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const name of names) {
      const r = await api('PUT', '/routes/malformed', { backends: [{ upstreamId: 'echo' }], plugins: { [name]: { notAField: 1 } } });
      expect(r.status, name).toBe(400);
      expect(JSON.stringify(r.body), name).toContain(`/plugins/${name}`);
    }
  });

  it('takes only the route with a bad plugin config out when one reaches etcd anyway', async () => {
    const { Etcd3 } = await import('etcd3');
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put(`${prefix}/routes/bad-plugin`).value(
        JSON.stringify({
          id: 'bad-plugin',
          match: { paths: [{ type: 'prefix', value: '/bad-plugin' }] },
          backends: [{ upstreamId: 'echo' }],
          plugins: { 'limit-count': { count: -5, timeWindow: 60 } },
        }),
      );
      await route('after-bad-plugin', '/after-bad-plugin', {});
      await waitFor(async () => (await get('/after-bad-plugin')).status === 200, 10_000, 'later route applied');
      expect((await get('/bad-plugin')).status).toBe(404);
      expect((await get('/plain')).status).toBe(200);
    } finally {
      await client.delete().key(`${prefix}/routes/bad-plugin`);
      client.close();
    }
  });
});
