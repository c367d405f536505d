// Two gateways on one etcd, told apart by --prefix: each control plane writes and lists only
// under its prefix, each data plane serves only its prefix's routes and registers there.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

let etcd: TestEtcd;
let echoA: EchoServer;
let echoB: EchoServer;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  [echoA, echoB] = await Promise.all([startHttpEcho('a'), startHttpEcho('b')]);
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await Promise.all([echoA?.close(), echoB?.close()]);
  await etcd?.stop();
});

describe('several gateways on one etcd', () => {
  it('keeps two prefixes apart: routes, data planes and admin listings', async () => {
    // B's prefix starts with A's: isolation must be by path segment, not by string prefix.
    const prefixA = etcd.prefix('gw');
    const prefixB = `${prefixA}b`;
    const [adminA, adminB, dpA, dpB] = await Promise.all([
      startGateway('control-plane', { etcd: etcd.endpoint, prefix: prefixA }),
      startGateway('control-plane', { etcd: etcd.endpoint, prefix: prefixB }),
      startGateway('data-plane', { etcd: etcd.endpoint, prefix: prefixA }),
      startGateway('data-plane', { etcd: etcd.endpoint, prefix: prefixB }),
    ]);
    running.push(adminA, adminB, dpA, dpB);
    const admin = (gw: GatewayProcess) => (method: string, path: string, body?: object) =>
      fetch(`http://127.0.0.1:${gw.ports.admin}/api/v1${path}`, {
        method,
        headers: { 'x-api-key': 'test-key', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const a = admin(adminA);
    const b = admin(adminB);
    expect((await a('PUT', '/upstreams/u', { nodes: [{ host: '127.0.0.1', port: echoA.port }] })).status).toBe(201);
    expect((await a('PUT', '/routes/only-a', { match: { paths: [{ type: 'prefix', value: '/only-a' }] }, backends: [{ upstreamId: 'u' }] })).status).toBe(201);
    expect((await b('PUT', '/upstreams/u', { nodes: [{ host: '127.0.0.1', port: echoB.port }] })).status).toBe(201);
    expect((await b('PUT', '/routes/only-b', { match: { paths: [{ type: 'prefix', value: '/only-b' }] }, backends: [{ upstreamId: 'u' }] })).status).toBe(201);

    const get = (gw: GatewayProcess, path: string) => fetch(`http://127.0.0.1:${gw.ports.http}${path}`);
    await waitFor(async () => (await get(dpA, '/only-a')).status === 200, 15_000, 'route /only-a on A');
    await waitFor(async () => (await get(dpB, '/only-b')).status === 200, 15_000, 'route /only-b on B');
    expect((await get(dpA, '/only-a')).headers.get('x-upstream')).toBe('a');
    expect((await get(dpB, '/only-b')).headers.get('x-upstream')).toBe('b');
    // Each data plane has loaded its config, yet never sees the other prefix's route.
    expect((await get(dpB, '/only-a')).status).toBe(404);
    expect((await get(dpA, '/only-b')).status).toBe(404);

    // Each admin API lists only its own documents and its own data planes.
    const routeIds = async (call: typeof a) => ((await (await call('GET', '/routes')).json()) as { items: { id: string }[] }).items.map((r) => r.id);
    expect(await routeIds(a)).toEqual(['only-a']);
    expect(await routeIds(b)).toEqual(['only-b']);
    const dataplaneIds = async (call: typeof a) => ((await (await call('GET', '/dataplanes')).json()) as { items: { id: string }[] }).items.map((d) => d.id);
    const idOf = (gw: GatewayProcess) => `${os.hostname()}-${gw.child.pid}`;
    await waitFor(async () => (await dataplaneIds(a)).length > 0 && (await dataplaneIds(b)).length > 0, 15_000, 'data plane registrations');
    expect(await dataplaneIds(a)).toEqual([idOf(dpA)]);
    expect(await dataplaneIds(b)).toEqual([idOf(dpB)]);
  });
});
