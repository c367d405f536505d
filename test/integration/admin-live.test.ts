import type { AddressInfo } from 'node:net';
import { Etcd3, type Lease } from 'etcd3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey } from '@sluice/model';
import Fastify from 'fastify';
import { buildAdmin } from '../../control-plane/src/index.js';
import { eventStream } from '../../control-plane/src/admin/event-stream.js';
import { createLiveState } from '../../control-plane/src/store/live-state.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const ADMIN_KEY = 'live-admin';

let etcd: TestEtcd;
let client: Etcd3;
let app: FastifyInstance;
let base: string;
let prefix: string;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Registers a data plane the way dataplane-registration.ts does: its status JSON under a lease. */
async function fakeDataplane(
  id: string,
  revision: number,
  lease: Lease,
  statusUrl = 'http://127.0.0.1:9/',
  serving: { rejected?: Record<string, string>; pending?: string[] } = {},
) {
  await lease
    .put(documentKey(prefix, 'dataplanes', id))
    .value(
      JSON.stringify({ id, host: 'fake-host', pid: 1, workers: 2, revision, statusUrl, state: 'ready', startedAt: '2026-01-01T00:00:00.000Z', ...serving }),
    );
}

/** Reads a server-sent event stream into a growing text buffer. */
function openEvents(): { text: () => string; close: () => void; ready: Promise<Response> } {
  const controller = new AbortController();
  let buffer = '';
  const ready = fetch(`${base}/api/v1/events`, { headers: { 'x-api-key': ADMIN_KEY }, signal: controller.signal }).then((res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
        }
      } catch {
        /* aborted */
      }
    })();
    return res;
  });
  return { text: () => buffer, close: () => controller.abort(), ready };
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('admin-live');
  app = await buildAdmin({ etcd: client, prefix, adminKey: ADMIN_KEY, eventPingMs: 200 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  client?.close();
  await etcd?.stop();
});

describe('live state with registered data planes', () => {
  let lease: Lease;

  it('lists only live (leased) data planes under the contract names', async () => {
    lease = client.lease(30);
    await fakeDataplane('fake-1', 0, lease);
    // A registration without a lease (left by hand) is not live.
    await client.put(documentKey(prefix, 'dataplanes', 'ghost')).value(JSON.stringify({ id: 'ghost', host: 'x', workers: 1, revision: 0 }));
    const res = await api('GET', '/dataplanes');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: 'fake-1',
        host: 'fake-host',
        workers: 2,
        appliedRevision: 0,
        started: '2026-01-01T00:00:00.000Z',
        status: 'ready',
        statusUrl: 'http://127.0.0.1:9/',
      }),
    ]);
    expect(typeof res.body.revision).toBe('number');
  });

  it('tells whether every live data plane applied a document', async () => {
    const put = await api('PUT', '/upstreams/u1', { nodes: [{ host: '127.0.0.1', port: 1 }] });
    const modRevision = Number(put.headers.get('x-mod-revision'));
    const before = await api('GET', '/upstreams/u1/applied');
    expect(before.body).toEqual({
      id: 'u1',
      modRevision,
      applied: false,
      state: 'pending',
      reason: `data plane fake-1 has applied revision 0, not yet ${modRevision}`,
      dataplanes: [{ id: 'fake-1', appliedRevision: 0, applied: false, state: 'pending', reason: `has applied revision 0, not yet ${modRevision}` }],
    });
    await fakeDataplane('fake-1', modRevision, lease);
    await waitFor(async () => (await api('GET', '/upstreams/u1/applied')).body.applied === true, 5000, 'applied');

    const del = await api('DELETE', '/upstreams/u1');
    const deletedAt = Number(del.headers.get('x-mod-revision'));
    expect(deletedAt).toBeGreaterThan(modRevision);
    expect((await api('GET', `/upstreams/u1/applied?revision=${deletedAt}`)).body.applied).toBe(false);
    expect((await api('GET', '/upstreams/u1/applied')).status).toBe(404);
  });

  it('names the newest document change apart from etcd head, which registrations move', async () => {
    const put = await api('PUT', '/upstreams/u2', { nodes: [{ host: '127.0.0.1', port: 2 }] });
    const modRevision = Number(put.headers.get('x-mod-revision'));
    await waitFor(async () => (await api('GET', '/dataplanes')).body.documentRevision === modRevision, 5000, 'document revision seen');
    // A data plane reporting that it applied the write moves etcd's head past it, not the documents.
    await fakeDataplane('fake-1', modRevision, lease);
    const list = (await api('GET', '/dataplanes')).body;
    expect(list.revision).toBeGreaterThan(modRevision);
    expect(list.documentRevision).toBe(modRevision);
    await api('DELETE', '/upstreams/u2');
  });

  it('?wait=applied replies once the data plane applied the write, or says false at the timeout', async () => {
    // Plays the data plane: applies every upstream write it sees.
    const watcher = await client.watch().prefix(`${prefix}/upstreams/`).create();
    watcher.on('put', (kv) => void fakeDataplane('fake-1', Number(kv.mod_revision), lease));
    const started = Date.now();
    const applied = await api('PUT', '/upstreams/u2?wait=applied&timeout=5s', { nodes: [{ host: '127.0.0.1', port: 2 }] });
    expect(applied.status).toBe(201);
    expect(applied.headers.get('x-sluice-applied')).toBe('true');
    expect(Date.now() - started).toBeLessThan(5000);
    await watcher.cancel();

    const t0 = Date.now();
    const late = await api('PATCH', '/upstreams/u2?wait=applied&timeout=300ms', { desc: 'nobody applies this' });
    expect(late.status).toBe(200);
    expect(late.headers.get('x-sluice-applied')).toBe('false');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

    const bad = await api('PUT', '/upstreams/u3?wait=applied&timeout=soon', { nodes: [{ host: '127.0.0.1', port: 3 }] });
    expect(bad.status).toBe(400);
    expect((await api('PUT', '/upstreams/u3?wait=applied&timeout=61s', { nodes: [{ host: '127.0.0.1', port: 3 }] })).status).toBe(400);
    expect((await api('GET', '/upstreams/u3')).status).toBe(404);
    expect((await api('PUT', '/upstreams/u3', { nodes: [{ host: '127.0.0.1', port: 3 }] })).headers.get('x-sluice-applied')).toBeNull();
  });

  it('?wait=applied fails at once naming the reason when a data plane rejects the write, and waits while it binds', async () => {
    // Plays a data plane that takes every write in but refuses u4 and is still binding u5.
    const watcher = await client.watch().prefix(`${prefix}/upstreams/`).create();
    watcher.on(
      'put',
      (kv) =>
        void fakeDataplane('fake-1', Number(kv.mod_revision), lease, undefined, {
          rejected: { 'upstreams/u4': 'nodes are on fire' },
          pending: ['upstreams/u5'],
        }),
    );
    try {
      const t0 = Date.now();
      const refused = await api('PUT', '/upstreams/u4?wait=applied&timeout=10s', { nodes: [{ host: '127.0.0.1', port: 4 }] });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(refused.status).toBe(422);
      expect(refused.headers.get('x-sluice-applied')).toBe('false');
      expect(refused.body).toMatchObject({ code: 'GW_ERR_NOT_APPLIED', details: [{ dataplane: 'fake-1', key: 'upstreams/u4', reason: 'nodes are on fire' }] });
      expect(refused.body.message).toBe(
        `stored at revision ${refused.headers.get('x-mod-revision')}, but not applied: data plane fake-1 rejects upstreams/u4: nodes are on fire`,
      );
      // The write stands; its state says why it is not served, in the document and in the list.
      expect((await api('GET', '/upstreams/u4')).status).toBe(200);
      expect((await api('GET', '/upstreams/u4/applied')).body).toMatchObject({
        applied: false,
        state: 'rejected',
        reason: 'data plane fake-1: nodes are on fire',
      });
      expect((await api('GET', '/upstreams')).body.applied.u4).toEqual({ state: 'rejected', reason: 'data plane fake-1: nodes are on fire' });

      const binding = await api('PUT', '/upstreams/u5?wait=applied&timeout=300ms', { nodes: [{ host: '127.0.0.1', port: 5 }] });
      expect(binding.status).toBe(201);
      expect(binding.headers.get('x-sluice-applied')).toBe('false');
      expect((await api('GET', '/upstreams/u5/applied')).body).toMatchObject({
        state: 'pending',
        reason: 'data plane fake-1 is still opening its listening socket',
      });
    } finally {
      await watcher.cancel();
    }
  });

  it('lists a data plane whose status port does not answer as unreachable', async () => {
    const metrics = await api('GET', '/metrics/routes');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({ items: [], unreachable: ['fake-1'] });
    expect(Date.parse(metrics.body.at)).toBeGreaterThan(0);
  });

  it('streams document changes and data-plane events to every subscriber', async () => {
    const first = openEvents();
    const second = openEvents();
    const res = await first.ready;
    await second.ready;
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await waitFor(() => first.text().startsWith('retry: 2000\n\n'), 5000, 'retry line');
    const put = await api('PUT', '/upstreams/sse', { nodes: [{ host: '127.0.0.1', port: 4 }] });
    const revision = Number(put.headers.get('x-mod-revision'));
    const change = `event: change\ndata: ${JSON.stringify({ collection: 'upstreams', id: 'sse', action: 'put', revision })}\n\n`;
    await waitFor(() => first.text().includes(change) && second.text().includes(change), 5000, 'change event');
    await lease.revoke();
    await waitFor(() => /event: dataplane\ndata: \{"id":"fake-1","appliedRevision":\d+,"action":"leave"\}/.test(first.text()), 5000, 'leave event');
    await waitFor(() => first.text().includes(': ping\n\n'), 5000, 'ping');
    // Admin records (audit entries) are not document changes.
    expect(first.text()).not.toContain('_admin');
    first.close();
    second.close();
  });
});

describe('event stream subscribers', () => {
  it('share one live state and are removed when the client disconnects', async () => {
    const live = createLiveState(client, prefix);
    const bare = Fastify();
    await bare.register(eventStream, { live });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/api/v1/events`;
      const clients = [new AbortController(), new AbortController(), new AbortController()];
      const responses = await Promise.all(clients.map((c) => fetch(url, { signal: c.signal })));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      await waitFor(() => live.subscriberCount() === 3, 5000, 'three subscribers');
      clients[0].abort();
      clients[1].abort();
      await waitFor(() => live.subscriberCount() === 1, 5000, 'one subscriber left');
      clients[2].abort();
      await waitFor(() => live.subscriberCount() === 0, 5000, 'no subscriber left');
    } finally {
      await bare.close();
      await live.close();
    }
  });
});

describe('with a real data plane', () => {
  let dp: GatewayProcess | undefined;
  let echo: EchoServer;

  afterAll(async () => {
    await dp?.kill();
    await echo?.close();
  });

  it('waits for it to apply writes, reads its traffic and upstream health, and stops waiting once it is gone', async () => {
    echo = await startHttpEcho('echo');
    dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
    await waitFor(async () => (await api('GET', '/dataplanes')).body.items.length === 1, 15_000, 'registration');
    const listed = (await api('GET', '/dataplanes')).body.items[0];
    expect(listed.statusUrl).toBe(`http://127.0.0.1:${dp.ports.status}`);

    const up = await api('PUT', '/upstreams/echo?wait=applied&timeout=10s', { nodes: [{ host: '127.0.0.1', port: echo.port }] });
    expect(up.headers.get('x-sluice-applied')).toBe('true');
    const route = await api('PUT', '/routes/echo?wait=applied&timeout=10s', {
      match: { paths: [{ type: 'prefix', value: '/echo' }] },
      backends: [{ upstreamId: 'echo' }],
    });
    expect(route.headers.get('x-sluice-applied')).toBe('true');
    // Applied means served: the very next request reaches the upstream.
    expect((await fetch(`http://127.0.0.1:${dp.ports.http}/echo/1`)).status).toBe(200);
    expect((await api('GET', '/routes/echo/applied')).body.applied).toBe(true);

    for (let i = 0; i < 4; i++) await (await fetch(`http://127.0.0.1:${dp.ports.http}/echo/${i}`)).text();
    await waitFor(
      async () => {
        const m = (await api('GET', '/metrics/routes')).body;
        return m.items.some((r: { routeId: string; requests: number }) => r.routeId === 'echo' && r.requests >= 5) && !m.unreachable;
      },
      10_000,
      'route metrics',
    );
    const metrics = (await api('GET', '/metrics/routes')).body.items.find((r: { routeId: string }) => r.routeId === 'echo');
    expect(metrics).toMatchObject({ errors4xx: 0, errors5xx: 0 });

    const health = await api('GET', '/upstreams/echo/health');
    expect(health.body.nodes).toEqual([{ host: '127.0.0.1', port: echo.port, healthy: true, dataplanes: { [listed.id]: true } }]);

    // Killed without revoking its lease: still registered, never applies again.
    await dp.kill();
    dp = undefined;
    const t0 = Date.now();
    const late = await api('PUT', '/routes/echo?wait=applied&timeout=500ms', {
      match: { paths: [{ type: 'prefix', value: '/echo2' }] },
      backends: [{ upstreamId: 'echo' }],
    });
    expect(late.status).toBe(200);
    expect(late.headers.get('x-sluice-applied')).toBe('false');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(490);
  });
});
