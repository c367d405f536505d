// Security and resilience plugins as a user configures them: documents through the admin API,
// traffic through real `gateway data-plane` processes, a real auth service, a real Redis.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { adminClient, putPluginRoute } from '../helpers/admin-client.js';

let etcd: TestEtcd;
let redis: TestRedis;
let admin: GatewayProcess;
let dp: GatewayProcess;
let dp2: GatewayProcess;
let echo: EchoServer;
let auth: { port: number; seen: http.IncomingHttpHeaders[]; close(): Promise<void> };

/** Responses the echo upstream holds back (limit-conn), and the status it gives on /breaker. */
const held: http.ServerResponse[] = [];
let breakerStatus = 500;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const seconds = () => Math.floor(Date.now() / 1000);

const api = adminClient(() => admin?.ports.admin);

const route = (id: string, prefix: string, plugins: Record<string, unknown>) => putPluginRoute(api, id, prefix, plugins);

async function get(path: string, init: RequestInit = {}, gateway = dp) {
  const res = await fetch(`http://127.0.0.1:${gateway.ports.http}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A local auth service: `Bearer good` passes with X-User-Id, anything else is refused. */
async function startAuthService() {
  const seen: http.IncomingHttpHeaders[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-user-id': '42', 'x-internal': 'secret' });
      res.end();
    } else {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="shop"', 'x-internal': 'secret', 'content-type': 'text/plain' });
      res.end('denied by auth');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  [etcd, redis, auth] = await Promise.all([startEtcd(), startRedis(), startAuthService()]);
  const prefix = etcd.prefix('plugins-security');
  echo = await startHttpEcho('echo', (req, res) => {
    if (req.url?.startsWith('/conn')) {
      held.push(res);
      return true;
    }
    if (req.url?.startsWith('/breaker')) {
      res.writeHead(breakerStatus, { 'content-type': 'text/plain' });
      res.end(`upstream ${breakerStatus}`);
      return true;
    }
    return false;
  });
  [admin, dp, dp2] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  expect((await api('PUT', '/upstreams/echo', { nodes: [{ host: '127.0.0.1', port: echo.port }] })).status).toBe(201);
  expect((await api('PUT', '/consumers/hana', { username: 'hana', plugins: { 'jwt-auth': { key: 'hana-key', secret: 'hana-secret' } } })).status).toBe(201);
  expect(
    (await api('PUT', '/consumers/rafa', { username: 'rafa', plugins: { 'jwt-auth': { key: 'rafa-key', algorithm: 'RS256', publicKey: rsaPublicPem } } }))
      .status,
  ).toBe(201);
  await route('jwt', '/jwt', { 'jwt-auth': { hideCredentials: true } });
  await route('fa', '/fa', {
    'forward-auth': {
      uri: `http://127.0.0.1:${auth.port}/check`,
      requestHeaders: ['Authorization'],
      upstreamHeaders: ['X-User-Id'],
      clientHeaders: ['WWW-Authenticate'],
      timeout: 2000,
    },
  });
  await route('req', '/req', { 'limit-req': { rate: 0.1, burst: 1, nodelay: true } });
  await route('conn', '/conn', { 'limit-conn': { conn: 1, burst: 1, defaultConnDelay: 0.05 } });
  await route('breaker', '/breaker', {
    'api-breaker': {
      breakResponseCode: 502,
      breakResponseBody: 'breaker open',
      unhealthy: { httpStatuses: [500], failures: 2 },
      healthy: { httpStatuses: [200], successes: 2 },
      maxBreakerSec: 3,
    },
  });
  await route('shared', '/shared', { 'limit-count': { count: 5, timeWindow: 60, policy: 'redis', redisHost: redis.host, redisPort: redis.port } });
  await route('plain', '/plain', {});
  const token = await hs256({ key: 'hana-key' });
  await waitFor(
    // /plain is written last: once both data planes serve it, they serve every route above.
    async () =>
      (await get('/jwt', { headers: { authorization: `Bearer ${token}` } })).status === 200 &&
      (await get('/plain')).status === 200 &&
      (await get('/plain', {}, dp2)).status === 200,
    15_000,
    'routes loaded',
  );
});

afterAll(async () => {
  for (const res of held.splice(0)) res.end();
  await Promise.all([admin?.stop(), dp?.stop(), dp2?.stop()]);
  await Promise.all([echo?.close(), auth?.close()]);
  await Promise.all([etcd?.stop(), redis?.stop()]);
});

function hs256(claims: Record<string, unknown>, secret = 'hana-secret') {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('security and resilience plugins through the gateway', () => {
  it('jwt-auth: HS256 and RS256 tokens accepted, the consumer named and the token hidden upstream', async () => {
    const hs = await get('/jwt', { headers: { authorization: `Bearer ${await hs256({ key: 'hana-key', exp: seconds() + 60 })}` } });
    expect(hs.status).toBe(200);
    expect(hs.json.headers['x-consumer-username']).toBe('hana');
    expect(hs.json.headers.authorization).toBeUndefined();
    const rs = await new SignJWT({ key: 'rafa-key' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
    const byQuery = await get(`/jwt/x?jwt=${rs}&page=2`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.json.headers['x-consumer-username']).toBe('rafa');
    expect(byQuery.json.url).toBe('/jwt/x?page=2');
  });

  it('jwt-auth: expired, forged and missing tokens get 401 and never reach the upstream', async () => {
    const before = echo.count;
    const expired = await get('/jwt', { headers: { authorization: `Bearer ${await hs256({ key: 'hana-key', exp: seconds() - 5 })}` } });
    expect(expired.status).toBe(401);
    const forged = await get('/jwt', { headers: { authorization: `Bearer ${await hs256({ key: 'hana-key' }, 'not-the-secret')}` } });
    expect(forged.status).toBe(401);
    expect(forged.json.message).toBe('failed to verify jwt');
    expect((await get('/jwt')).status).toBe(401);
    expect(echo.count).toBe(before);
  });

  it('forward-auth: allowed with headers passed both ways, denied with the auth status, body and chosen headers', async () => {
    const ok = await get('/fa/orders?id=1', { method: 'POST', headers: { authorization: 'Bearer good', 'x-user-id': 'forged' } });
    expect(ok.status).toBe(200);
    expect(ok.json.headers['x-user-id']).toBe('42');
    expect(ok.json.headers['x-internal']).toBeUndefined();
    const asked = auth.seen.at(-1)!;
    expect(asked.authorization).toBe('Bearer good');
    expect(asked['x-forwarded-method']).toBe('POST');
    expect(asked['x-forwarded-uri']).toBe('/fa/orders?id=1');
    expect(asked['x-forwarded-for']).toBe('127.0.0.1');

    const before = echo.count;
    const denied = await get('/fa/orders', { headers: { authorization: 'Bearer bad' } });
    expect(denied.status).toBe(401);
    expect(denied.text).toBe('denied by auth');
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="shop"');
    expect(denied.headers.get('x-internal')).toBeNull();
    expect(echo.count).toBe(before);
  });

  it('limit-req: within rate + burst goes through, beyond it 503 without the upstream', async () => {
    const before = echo.count;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/req')).status);
    expect(statuses).toEqual([200, 200, 503, 503]);
    expect(echo.count - before).toBe(2);
  });

  it('limit-conn: with slow requests in flight, the one over conn + burst gets 503; capacity returns when they finish', async () => {
    const first = get('/conn/1');
    await waitFor(() => held.length === 1, 5000, 'first request at the upstream');
    const second = get('/conn/2'); // over conn, within burst: delayed, then proxied
    await waitFor(() => held.length === 2, 5000, 'second request at the upstream');
    const third = await get('/conn/3');
    expect(third.status).toBe(503);
    expect(held.length).toBe(2);
    for (const res of held.splice(0)) res.end('done');
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    // Both released in the log phase: a new request is admitted.
    const fourth = get('/conn/4');
    await waitFor(() => held.length === 1, 5000, 'fourth request at the upstream');
    held.splice(0)[0].end('done');
    expect((await fourth).status).toBe(200);
  });

  it('api-breaker: opens after failures, answers itself while open, closes after successes', async () => {
    breakerStatus = 500;
    expect((await get('/breaker')).status).toBe(500);
    expect((await get('/breaker')).status).toBe(500);
    const before = echo.count;
    const open = await get('/breaker');
    expect([open.status, open.text]).toEqual([502, 'breaker open']);
    expect(echo.count).toBe(before);
    breakerStatus = 200;
    // Open for 2 s (2 failures / 2 = 1 → 2^1); then the upstream is tried again.
    await waitFor(async () => (await get('/breaker')).status === 200, 8000, 'breaker half-open');
    expect((await get('/breaker')).status).toBe(200); // second success: closed, counts cleared
    breakerStatus = 500;
    expect((await get('/breaker')).status).toBe(500); // one failure of two: still closed
    expect((await get('/breaker')).text).toBe('upstream 500');
  });

  it('limit-count policy redis: two data planes share one limit', async () => {
    const statuses: number[] = [];
    for (const gateway of [dp, dp2, dp, dp2, dp]) statuses.push((await get('/shared', {}, gateway)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const sixth = await get('/shared', {}, dp2);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await get('/shared', {}, dp)).status).toBe(429);
  });

  it('refuses bad configs through the admin API, naming the field', async () => {
    const bad: [string, unknown, string][] = [
      ['/routes/bad', { backends: [{ upstreamId: 'echo' }], plugins: { 'limit-req': { rate: 0, burst: 1 } } }, '/plugins/limit-req/rate'],
      [
        '/routes/bad',
        { backends: [{ upstreamId: 'echo' }], plugins: { 'limit-conn': { conn: 1, burst: -1, defaultConnDelay: 1 } } },
        '/plugins/limit-conn/burst',
      ],
      ['/routes/bad', { backends: [{ upstreamId: 'echo' }], plugins: { 'forward-auth': { uri: 'ftp://auth' } } }, '/plugins/forward-auth/uri'],
      [
        '/routes/bad',
        { backends: [{ upstreamId: 'echo' }], plugins: { 'api-breaker': { breakResponseCode: 502, unhealthy: { httpStatuses: [200] } } } },
        '/plugins/api-breaker/unhealthy/httpStatuses/0',
      ],
      [
        '/routes/bad',
        { backends: [{ upstreamId: 'echo' }], plugins: { 'limit-count': { count: 1, timeWindow: 1, policy: 'redis' } } },
        '/plugins/limit-count/redisHost',
      ],
      ['/routes/bad', { backends: [{ upstreamId: 'echo' }], plugins: { 'jwt-auth': { header: '' } } }, '/plugins/jwt-auth/header'],
      ['/consumers/bad', { username: 'bad', plugins: { 'jwt-auth': { key: 'k' } } }, '/plugins/jwt-auth/secret'],
      ['/consumers/bad', { username: 'bad', plugins: { 'jwt-auth': { key: 'k', algorithm: 'RS256', publicKey: 'not a key' } } }, '/plugins/jwt-auth/publicKey'],
    ];
    for (const [path, body, field] of bad) {
      const r = await api('PUT', path, body);
      expect(r.status, field).toBe(400);
      expect(JSON.stringify(r.body), field).toContain(field);
    }
  });
});
