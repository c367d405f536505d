// Weighted backends, balancers, cookie affinity, precedence and timeouts, through a real
// `gateway data-plane` process (one worker, so counts are exact) configured in etcd.
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let etcd: TestEtcd;
let client: Etcd3;
let prefix: string;
let dp: GatewayProcess;
const echo: Record<string, EchoServer> = {};

async function put(collection: string, id: string, doc: object) {
  await client.put(`${prefix}/${collection}/${id}`).value(JSON.stringify({ id, ...doc }));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function request(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; upstream?: string; setCookie?: string[]; body: string }>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${dp.ports.http}${path}`, { agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, upstream: res.headers['x-upstream'] as string | undefined, setCookie: res.headers['set-cookie'], body }),
        );
      })
      .on('error', reject);
  });
}

async function tally(n: number, path: string, headers: Record<string, string> = {}) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await request(path, headers);
    const k = r.status === 200 ? r.upstream! : `status-${r.status}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('routing');
  for (const name of ['a', 'b', 'c']) echo[name] = await startHttpEcho(name);
  const node = (name: string, weight = 1) => ({ host: '127.0.0.1', port: echo[name].port, weight });
  await put('upstreams', 'ua', { nodes: [node('a')] });
  await put('upstreams', 'ub', { nodes: [node('b')] });
  await put('upstreams', 'rr', { nodes: [node('a', 1), node('b', 2), node('c', 3)] });
  await put('upstreams', 'hash', { type: 'chash', hashOn: 'header', key: 'x-user', nodes: [node('a'), node('b'), node('c')] });
  await put('upstreams', 'sticky', { nodes: [node('a'), node('b'), node('c')], affinity: { type: 'cookie', name: 'sticky', ttl: 60 } });
  await put('routes', 'split', {
    match: { paths: [{ type: 'prefix', value: '/split' }] },
    backends: [
      { upstreamId: 'ua', weight: 90 },
      { upstreamId: 'ub', weight: 10 },
    ],
  });
  await put('routes', 'rr', { match: { paths: [{ type: 'prefix', value: '/rr' }] }, backends: [{ upstreamId: 'rr' }] });
  await put('routes', 'hash', { match: { paths: [{ type: 'prefix', value: '/hash' }] }, backends: [{ upstreamId: 'hash' }] });
  await put('routes', 'sticky', { match: { paths: [{ type: 'prefix', value: '/sticky' }] }, backends: [{ upstreamId: 'sticky' }] });
  await put('routes', 'host-exact', { match: { hosts: ['api.example.com'], paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'ua' }] });
  await put('routes', 'host-wild', { match: { hosts: ['*.example.com'], paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'ub' }] });
  await put('routes', 'exact-beats-prefix', { match: { paths: [{ type: 'exact', value: '/rr/exact' }] }, backends: [{ upstreamId: 'ub' }] });
  await put('routes', 'inline', { match: { paths: [{ type: 'prefix', value: '/inline' }] }, upstream: { nodes: [node('c')] } });
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  await waitFor(async () => (await request('/inline')).status === 200, 15_000, 'config loaded');
});

afterAll(async () => {
  agent.destroy();
  await dp?.stop();
  client?.close();
  await Promise.all(Object.values(echo).map((e) => e.close()));
  await etcd?.stop();
});

describe('routing through the gateway', () => {
  it('splits traffic between upstreams by backend weight', async () => {
    expect(await tally(100, '/split')).toEqual({ a: 90, b: 10 });
  });

  it('balances nodes by weight with round robin', async () => {
    expect(await tally(120, '/rr/x')).toEqual({ a: 20, b: 40, c: 60 });
  });

  it('hashes a header to the same node, and different keys spread', async () => {
    const seen = new Set<string>();
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']) {
      const counts = await tally(5, '/hash', { 'x-user': user });
      expect(Object.keys(counts)).toHaveLength(1);
      seen.add(Object.keys(counts)[0]);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('keeps a client on one node with cookie affinity', async () => {
    const first = await request('/sticky');
    const cookie = first.setCookie?.find((c) => c.startsWith('sticky='));
    expect(cookie).toMatch(/Max-Age=60/);
    const pair = cookie!.split(';')[0];
    expect(await tally(10, '/sticky', { cookie: pair })).toEqual({ [first.upstream!]: 10 });
  });

  it('applies precedence: exact host over wildcard, exact path over prefix, inline upstreams', async () => {
    expect((await request('/', { host: 'api.example.com' })).upstream).toBe('a');
    expect((await request('/', { host: 'web.example.com:8080' })).upstream).toBe('b');
    expect((await request('/rr/exact')).upstream).toBe('b');
    expect((await request('/inline/x')).upstream).toBe('c');
    expect((await request('/nothing-here')).status).toBe(404);
  });
});
