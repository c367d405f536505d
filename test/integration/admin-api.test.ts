import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey, kinds } from '@sluice/model';
import { buildAdmin } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';

const ADMIN_KEY = 'admin-secret';
const VIEWER_KEY = 'viewer-secret';

let etcd: TestEtcd;
let client: Etcd3;
let app: FastifyInstance;
let prefix: string;
let tmp: string;
let pem: { cert: string; key: string };

interface CallOptions {
  body?: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  rawBody?: string;
}

async function call(method: string, url: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers['x-api-key'] = opts.key ?? ADMIN_KEY;
  let payload: string | undefined;
  if (opts.rawBody !== undefined) payload = opts.rawBody;
  else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await app.inject({ method: method as 'GET', url, headers, payload });
  const body = res.body ? JSON.parse(res.body) : undefined;
  return { status: res.statusCode, body, headers: res.headers };
}

/** Writes a document straight into etcd, as the control plane's syncer would. */
async function writeRaw(collection: string, id: string, doc: object) {
  await client.put(documentKey(prefix, collection, id)).value(JSON.stringify(doc));
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('admin-api');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-admin-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(tmp, 'key.pem'),
      '-out',
      path.join(tmp, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=shop.example.test',
    ],
    { stdio: 'ignore' },
  );
  pem = { cert: fs.readFileSync(path.join(tmp, 'cert.pem'), 'utf8'), key: fs.readFileSync(path.join(tmp, 'key.pem'), 'utf8') };
  app = await buildAdmin({ etcd: client, prefix, adminKey: ADMIN_KEY, viewerKey: VIEWER_KEY });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  client?.close();
  await etcd?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('CRUD for every writable kind', () => {
  const samples = (): Record<string, { id: string; doc: Record<string, unknown>; change: Record<string, unknown> }> => ({
    upstreams: {
      id: 'crud-up',
      doc: { nodes: [{ host: '127.0.0.1', port: 8080, weight: 1 }], type: 'roundrobin' },
      change: { retries: 2 },
    },
    routes: {
      id: 'crud-route',
      doc: { match: { hosts: ['shop.example.test'], paths: [{ type: 'prefix', value: '/api' }] }, backends: [{ upstreamId: 'crud-up', weight: 1 }] },
      change: { name: 'shop api' },
    },
    ssls: { id: 'crud-ssl', doc: { snis: ['shop.example.test'], cert: pem.cert, key: pem.key }, change: { name: 'shop cert' } },
    'stream-routes': {
      id: 'crud-stream',
      doc: { protocol: 'tcp', listenPort: 9100, backends: [{ upstreamId: 'crud-up' }] },
      change: { timeout: 30 },
    },
    consumers: { id: 'alice', doc: { plugins: { 'key-auth': { key: 'k-alice' } } }, change: { labels: { team: 'a' } } },
    'plugin-configs': { id: 'crud-pc', doc: { plugins: { cors: {} } }, change: { desc: 'shared cors' } },
    'global-rules': { id: 'crud-gr', doc: { plugins: { 'request-id': {} } }, change: { desc: 'ids everywhere' } },
  });

  it('creates, reads, replaces, patches and deletes each kind', async () => {
    const all = samples();
    // Upstream first: the route and stream route refer to it.
    for (const [collection, { id, doc, change }] of Object.entries(all)) {
      const created = await call('PUT', `/api/v1/${collection}/${id}`, { body: doc });
      expect(created.status, `${collection}: ${JSON.stringify(created.body)}`).toBe(201);
      expect(created.body.id).toBe(id);
      expect(created.body.owner).toEqual({ kind: 'admin' });
      expect(created.body.createdAt).toBe(created.body.updatedAt);
      const etag = created.headers.etag as string;
      expect(etag).toMatch(/^"\d+"$/);
      expect(created.headers['x-mod-revision']).toBe(etag.slice(1, -1));

      const read = await call('GET', `/api/v1/${collection}/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
      expect(read.headers.etag).toBe(etag);

      const replaced = await call('PUT', `/api/v1/${collection}/${id}`, { body: { ...doc, ...change } });
      expect(replaced.status).toBe(200);
      expect(replaced.body.createdAt).toBe(created.body.createdAt);
      expect(replaced.body).toMatchObject(change);
      expect(Number(replaced.headers['x-mod-revision'])).toBeGreaterThan(Number(etag.slice(1, -1)));

      const patched = await call('PATCH', `/api/v1/${collection}/${id}`, {
        body: { labels: { env: 'test' } },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.labels).toMatchObject({ env: 'test' });
      expect(patched.body).toMatchObject(change);
    }
    expect((await call('GET', '/api/v1/consumers/alice')).body.username).toBe('alice');

    // Referrers before the upstream they point at.
    for (const collection of ['routes', 'stream-routes', 'ssls', 'consumers', 'plugin-configs', 'global-rules', 'upstreams']) {
      const { id } = all[collection];
      const deleted = await call('DELETE', `/api/v1/${collection}/${id}`);
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
      expect(deleted.body).toEqual({ deleted: id });
      const gone = await call('GET', `/api/v1/${collection}/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('GW_ERR_NOT_FOUND');
      expect((await call('DELETE', `/api/v1/${collection}/${id}`)).status).toBe(404);
    }
  });

  it('PATCH deletes a field with null and 404s for a missing document', async () => {
    await call('PUT', '/api/v1/upstreams/patch-up', {
      body: { nodes: [{ host: '127.0.0.1', port: 1 }], retries: 3, name: 'x' },
    });
    const patched = await call('PATCH', '/api/v1/upstreams/patch-up', { body: { retries: null, name: 'y' } });
    expect(patched.status).toBe(200);
    expect(patched.body).not.toHaveProperty('retries');
    expect(patched.body.name).toBe('y');
    const missing = await call('PATCH', '/api/v1/upstreams/nope', { body: { name: 'z' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('GW_ERR_NOT_FOUND');
  });

  it('refuses writes to the read-only dataplanes collection but lists it', async () => {
    await writeRaw('dataplanes', 'dp1', { id: 'dp1', host: 'node-a', workers: 2, revision: 10 });
    expect((await call('GET', '/api/v1/dataplanes/dp1')).body.host).toBe('node-a');
    // Only registrations under a lease are live: a left-over key is readable but not listed.
    expect((await call('GET', '/api/v1/dataplanes')).body.total).toBe(0);
    const lease = client.lease(30);
    await lease.put(documentKey(prefix, 'dataplanes', 'dp2')).value(JSON.stringify({ id: 'dp2', host: 'node-b', workers: 1, revision: 10 }));
    expect((await call('GET', '/api/v1/dataplanes')).body.items.map((d: { id: string }) => d.id)).toEqual(['dp2']);
    await lease.revoke();
    const put = await call('PUT', '/api/v1/dataplanes/dp1', { body: { host: 'x', workers: 1, revision: 1 } });
    expect(put.status).toBe(405);
    expect(put.body.code).toBe('GW_ERR_READ_ONLY');
  });
});

describe('validation', () => {
  const bad: [string, unknown, string][] = [
    ['a bad path type', { match: { paths: [{ type: 'glob', value: '/x' }] } }, '/match/paths/0/type'],
    ['an unknown field', { match: {}, colour: 'red' }, '/colour'],
    ['a bad regex', { match: { paths: [{ type: 'regex', value: '/(unclosed' }] } }, '/match/paths/0/value'],
    ['a bad host', { match: { hosts: ['bad host!'] } }, '/match/hosts/0'],
    ['a wrong type', { match: { methods: 'GET' } }, '/match/methods'],
  ];
  for (const [what, doc, field] of bad) {
    it(`rejects ${what} naming ${field}, and stores nothing`, async () => {
      const res = await call('PUT', '/api/v1/routes/invalid', { body: doc });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('GW_ERR_VALIDATION');
      expect(res.body.message).toContain(field);
      expect(res.body.details[0].path).toBe(field);
      expect((await call('GET', '/api/v1/routes/invalid')).status).toBe(404);
    });
  }

  it('rejects a body id that differs from the URL', async () => {
    const res = await call('PUT', '/api/v1/routes/one', { body: { id: 'two' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('GW_ERR_ID_MISMATCH');
    const consumer = await call('PUT', '/api/v1/consumers/bob', { body: { username: 'robert' } });
    expect(consumer.body.code).toBe('GW_ERR_ID_MISMATCH');
  });

  it('rejects a missing reference naming its path', async () => {
    const res = await call('PUT', '/api/v1/routes/dangling', { body: { backends: [{ upstreamId: 'ghost' }] } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('GW_ERR_REFERENCE');
    expect(res.body.message).toContain('/backends/0/upstreamId');
    expect(res.body.message).toContain('ghost');
    expect((await call('GET', '/api/v1/routes/dangling')).status).toBe(404);
  });

  it('answers malformed JSON, a non-object body and an unknown type with catalog errors', async () => {
    const malformed = await call('PUT', '/api/v1/routes/x', { rawBody: '{"match": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('GW_ERR_BAD_REQUEST');
    expect(typeof malformed.body.message).toBe('string');
    const array = await call('PUT', '/api/v1/routes/x', { body: [1, 2] });
    expect(array.status).toBe(400);
    expect(array.body.code).toBe('GW_ERR_BAD_REQUEST');
    const unknown = await call('GET', '/api/v1/widgets/x');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'GW_ERR_UNKNOWN_TYPE', message: 'unknown document type widgets' });
    expect((await call('GET', '/api/v1/widgets')).body.code).toBe('GW_ERR_UNKNOWN_TYPE');
  });

  it('validates without writing', async () => {
    const ok = await call('POST', '/api/v1/validate/upstreams', { body: { nodes: [{ host: 'a', port: 80 }] } });
    expect(ok.body).toEqual({ valid: true, issues: [] });
    const broken = await call('POST', '/api/v1/validate/upstreams', { body: { nodes: [{ host: 'a', port: 0 }] } });
    expect(broken.status).toBe(200);
    expect(broken.body.valid).toBe(false);
    expect(broken.body.issues[0].path).toBe('/nodes/0/port');
    const ref = await call('POST', '/api/v1/validate/routes', { body: { backends: [{ upstreamId: 'ghost' }] } });
    expect(ref.body).toMatchObject({ valid: false, issues: [{ path: '/backends/0/upstreamId' }] });
    expect((await call('GET', '/api/v1/upstreams')).body.items.some((u: { nodes: { port: number }[] }) => u.nodes[0].port === 0)).toBe(false);
  });
});

describe('auth', () => {
  it('needs a key, refuses a wrong one and lets the viewer only read', async () => {
    const missing = await call('GET', '/api/v1/routes', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('GW_ERR_UNAUTHORIZED');
    const wrong = await call('GET', '/api/v1/routes', { key: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('GW_ERR_UNAUTHORIZED');
    expect((await call('GET', '/api/v1/routes', { key: VIEWER_KEY })).status).toBe(200);
    const write = await call('PUT', '/api/v1/upstreams/viewer', { key: VIEWER_KEY, body: { nodes: [] } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('GW_ERR_VIEWER_READ_ONLY');
    expect((await call('GET', '/api/v1/upstreams/viewer')).status).toBe(404);
    // An unknown type still asks for a key first: the API's shape is not given away.
    expect((await call('GET', '/api/v1/widgets', { key: null })).status).toBe(401);
  });

  it('leaves /healthz and openapi.json public', async () => {
    expect((await call('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await call('GET', '/api/v1/openapi.json', { key: null })).status).toBe(200);
  });
});

describe('optimistic concurrency', () => {
  it('409s on a stale If-Match and succeeds on the current one, quoted or not', async () => {
    const first = await call('PUT', '/api/v1/upstreams/cas', { body: { nodes: [{ host: 'a', port: 1 }] } });
    const rev1 = first.headers.etag as string;
    const second = await call('PUT', '/api/v1/upstreams/cas', { body: { nodes: [{ host: 'b', port: 1 }] }, headers: { 'if-match': rev1 } });
    expect(second.status).toBe(200);
    const stale = await call('PUT', '/api/v1/upstreams/cas', { body: { nodes: [{ host: 'c', port: 1 }] }, headers: { 'if-match': rev1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('GW_ERR_CONFLICT');
    expect(stale.body.details.actual).toBe(Number(second.headers['x-mod-revision']));
    expect((await call('GET', '/api/v1/upstreams/cas')).body.nodes[0].host).toBe('b');

    const unquoted = second.headers['x-mod-revision'] as string;
    const patched = await call('PATCH', '/api/v1/upstreams/cas', { body: { name: 'n' }, headers: { 'if-match': unquoted } });
    expect(patched.status).toBe(200);
    const staleDelete = await call('DELETE', '/api/v1/upstreams/cas', { headers: { 'if-match': unquoted } });
    expect(staleDelete.status).toBe(409);
    expect((await call('DELETE', '/api/v1/upstreams/cas', { headers: { 'if-match': patched.headers.etag as string } })).status).toBe(200);
  });

  it('treats If-Match: * as "must exist"', async () => {
    const absent = await call('PUT', '/api/v1/upstreams/star', { body: { nodes: [] }, headers: { 'if-match': '*' } });
    expect(absent.status).toBe(409);
    await call('PUT', '/api/v1/upstreams/star', { body: { nodes: [] } });
    const present = await call('PUT', '/api/v1/upstreams/star', { body: { nodes: [], name: 's' }, headers: { 'if-match': '*' } });
    expect(present.status).toBe(200);
  });

  it('creates only with If-None-Match: *: 412 when the id exists, and nothing is replaced or audited', async () => {
    const created = await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [{ host: 'a', port: 1 }] }, headers: { 'if-none-match': '*' } });
    expect(created.status).toBe(201);
    const again = await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [{ host: 'b', port: 2 }] }, headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(412);
    expect(again.body.code).toBe('GW_ERR_PRECONDITION_FAILED');
    expect(again.body.message).toBe('upstream fresh already exists (If-None-Match: *); nothing was written');
    const stored = await call('GET', '/api/v1/upstreams/fresh');
    expect(stored.body.nodes).toEqual([{ host: 'a', port: 1 }]);
    expect(stored.headers.etag).toBe(created.headers.etag);
    // A POST naming an existing key is refused the same way when it asks to create only.
    const posted = await call('POST', '/api/v1/upstreams', { body: { id: 'fresh', nodes: [] }, headers: { 'if-none-match': '*' } });
    expect(posted.status).toBe(412);
    const audit = await call('GET', '/api/v1/audit?collection=upstreams&id=fresh');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['create']);
    // Without the header a PUT keeps its create-or-replace meaning (what `gateway apply` relies on).
    expect((await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [{ host: 'c', port: 3 }] } })).status).toBe(200);
    // An entity tag list: refused while the document is at one of them.
    const rev = String((await call('GET', '/api/v1/upstreams/fresh')).headers.etag);
    expect((await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [] }, headers: { 'if-none-match': rev } })).status).toBe(412);
    expect((await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [] }, headers: { 'if-none-match': '"1"' } })).status).toBe(200);
    expect((await call('PUT', '/api/v1/upstreams/fresh', { body: { nodes: [] }, headers: { 'if-none-match': 'soon' } })).status).toBe(400);
  });

  it('lets exactly one of two writers with the same If-Match win', async () => {
    const base = await call('PUT', '/api/v1/upstreams/race', { body: { nodes: [] } });
    const etag = base.headers.etag as string;
    const results = await Promise.all(
      ['x', 'y', 'z'].map((name) => call('PUT', '/api/v1/upstreams/race', { body: { nodes: [], name }, headers: { 'if-match': etag } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });
});

describe('managed documents', () => {
  const owner = { kind: 'Ingress', namespace: 'shop', name: 'web', uid: 'u-1' };

  it('refuses to change or delete a Kubernetes-owned document unless forced', async () => {
    await writeRaw('upstreams', 'k8s-up', { id: 'k8s-up', nodes: [{ host: '10.0.0.1', port: 80 }], owner });
    const put = await call('PUT', '/api/v1/upstreams/k8s-up', { body: { nodes: [] } });
    expect(put.status).toBe(409);
    expect(put.body.code).toBe('GW_ERR_MANAGED');
    expect(put.body.message).toContain('Ingress shop/web');
    expect((await call('PATCH', '/api/v1/upstreams/k8s-up', { body: { name: 'x' } })).body.code).toBe('GW_ERR_MANAGED');
    expect((await call('DELETE', '/api/v1/upstreams/k8s-up')).body.code).toBe('GW_ERR_MANAGED');

    const forced = await call('PATCH', '/api/v1/upstreams/k8s-up?force=true', { body: { name: 'forced' } });
    expect(forced.status).toBe(200);
    expect(forced.body.owner).toEqual(owner);
    expect((await call('DELETE', '/api/v1/upstreams/k8s-up?force=true')).status).toBe(200);
  });

  it('does not let a client claim a Kubernetes owner without force', async () => {
    const res = await call('PUT', '/api/v1/upstreams/claim', { body: { nodes: [], owner } });
    expect(res.status).toBe(400);
    expect(res.body.details[0].path).toBe('/owner/kind');
    expect((await call('PUT', '/api/v1/upstreams/claim?force=true', { body: { nodes: [], owner } })).status).toBe(201);
  });

  it('lists by owner', async () => {
    await writeRaw('plugin-configs', 'owned-pc', { id: 'owned-pc', plugins: {}, owner: { kind: 'HTTPRoute', name: 'r' } });
    await call('PUT', '/api/v1/plugin-configs/mine-pc', { body: { plugins: {} } });
    const ids = async (q: string) => (await call('GET', `/api/v1/plugin-configs?${q}`)).body.items.map((d: { id: string }) => d.id);
    expect(await ids('owner=kubernetes')).toEqual(['owned-pc']);
    expect(await ids('owner=HTTPRoute')).toEqual(['owned-pc']);
    expect(await ids('owner=admin')).toEqual(['mine-pc']);
    expect(await ids('owner=Ingress')).toEqual([]);
  });
});

describe('delete guard', () => {
  it('409s while another document refers to the target, listing the referrers', async () => {
    await call('PUT', '/api/v1/upstreams/shared', { body: { nodes: [{ host: 'a', port: 1 }] } });
    await call('PUT', '/api/v1/plugin-configs/guarded-pc', { body: { plugins: {} } });
    await call('PUT', '/api/v1/routes/user-1', { body: { backends: [{ upstreamId: 'shared' }], pluginConfigId: 'guarded-pc' } });
    await call('PUT', '/api/v1/stream-routes/user-2', { body: { protocol: 'tcp', listenPort: 9200, backends: [{ upstreamId: 'shared' }] } });

    const res = await call('DELETE', '/api/v1/upstreams/shared');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('GW_ERR_IN_USE');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { collection: 'routes', id: 'user-1', path: '/backends/0/upstreamId' },
        { collection: 'stream-routes', id: 'user-2', path: '/backends/0/upstreamId' },
      ]),
    );
    expect((await call('DELETE', '/api/v1/plugin-configs/guarded-pc')).body.code).toBe('GW_ERR_IN_USE');

    await call('DELETE', '/api/v1/routes/user-1');
    await call('DELETE', '/api/v1/stream-routes/user-2');
    expect((await call('DELETE', '/api/v1/upstreams/shared')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/plugin-configs/guarded-pc')).status).toBe(200);
  });
});

describe('POST with a generated id', () => {
  it('creates with a short url-safe id and a Location', async () => {
    const res = await call('POST', '/api/v1/upstreams', { body: { nodes: [{ host: 'a', port: 1 }] } });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/);
    expect(res.headers.location).toBe(`/api/v1/upstreams/${res.body.id}`);
    expect((await call('GET', res.headers.location as string)).body.nodes).toEqual([{ host: 'a', port: 1 }]);
    const other = await call('POST', '/api/v1/upstreams', { body: { nodes: [] } });
    expect(other.body.id).not.toBe(res.body.id);
  });

  it('uses the username as the id of a consumer, once', async () => {
    const res = await call('POST', '/api/v1/consumers', { body: { username: 'carol' } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/v1/consumers/carol');
    expect(res.body).toMatchObject({ id: 'carol', username: 'carol' });
    const again = await call('POST', '/api/v1/consumers', { body: { username: 'carol' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('GW_ERR_ALREADY_EXISTS');
    const nameless = await call('POST', '/api/v1/consumers', { body: {} });
    expect(nameless.status).toBe(400);
    expect(nameless.body.details[0].path).toBe('/username');
  });
});

describe('list filters and pagination', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) {
      const n = String(i).padStart(2, '0');
      const res = await call('PUT', `/api/v1/global-rules/rule-${n}`, {
        body: {
          name: i % 2 ? `Odd Rule ${n}` : `even rule ${n}`,
          labels: { parity: i % 2 ? 'odd' : 'even', tier: i < 5 ? 'gold' : 'std' },
          plugins: {},
        },
      });
      expect(res.status).toBe(201);
    }
  });

  it('pages 25 documents by 10 with an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const res = await call('GET', `/api/v1/global-rules?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(25);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `rule-${String(i).padStart(2, '0')}`));
  });

  it('filters by name, label, q, and pages the filtered set', async () => {
    const get = async (q: string) => (await call('GET', `/api/v1/global-rules?${q}`)).body;
    expect((await get('name=odd')).total).toBe(12);
    expect((await get('label=parity:even')).total).toBe(13);
    expect((await get('label=parity:even&label=tier:gold')).total).toBe(3);
    expect((await get('label=parity:odd,tier:gold')).items.map((d: { id: string }) => d.id)).toEqual(['rule-01', 'rule-03']);
    expect((await get('q=RULE-2')).total).toBe(5);
    const first = await get('name=ODD&limit=5');
    expect(first.items).toHaveLength(5);
    expect(first.total).toBe(12);
    const second = await get(`name=ODD&limit=5&cursor=${first.nextCursor}`);
    expect(second.items[0].id).toBe('rule-11');
    const third = await get(`name=ODD&limit=5&cursor=${second.nextCursor}`);
    expect(third.items).toHaveLength(2);
    expect(third.nextCursor).toBeUndefined();
  });

  it('rejects a bad limit or cursor', async () => {
    expect((await call('GET', '/api/v1/global-rules?limit=0')).body.code).toBe('GW_ERR_BAD_REQUEST');
    expect((await call('GET', '/api/v1/global-rules?limit=1001')).status).toBe(400);
    expect((await call('GET', '/api/v1/global-rules?cursor=%%%')).status).toBe(400);
  });
});

describe('history and rollback', () => {
  it('lists earlier versions newest first and writes one back', async () => {
    const revs: number[] = [];
    for (const port of [81, 82, 83]) {
      const res = await call('PUT', '/api/v1/upstreams/hist', { body: { nodes: [{ host: 'h', port }] } });
      revs.push(Number(res.headers['x-mod-revision']));
    }
    const history = await call('GET', '/api/v1/upstreams/hist/history');
    expect(history.status).toBe(200);
    expect(history.body.map((h: { modRevision: number }) => h.modRevision)).toEqual([revs[1], revs[0]]);
    expect(history.body[1].document.nodes[0].port).toBe(81);
    expect(history.body[1].updatedAt).toBe(history.body[1].document.updatedAt);

    const stale = await call('POST', '/api/v1/upstreams/hist/rollback', {
      body: { modRevision: revs[0] },
      headers: { 'if-match': String(revs[1]) },
    });
    expect(stale.status).toBe(409);
    const rolled = await call('POST', '/api/v1/upstreams/hist/rollback', {
      body: { modRevision: revs[0] },
      headers: { 'if-match': String(revs[2]) },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.nodes[0].port).toBe(81);
    expect(Number(rolled.headers['x-mod-revision'])).toBeGreaterThan(revs[2]);
    expect((await call('GET', '/api/v1/upstreams/hist')).body.nodes[0].port).toBe(81);
    expect((await call('GET', '/api/v1/upstreams/hist/history')).body).toHaveLength(3);

    const missing = await call('POST', '/api/v1/upstreams/hist/rollback', { body: { modRevision: 1 } });
    expect(missing.status).toBe(404);
    expect((await call('POST', '/api/v1/upstreams/hist/rollback', { body: {} })).status).toBe(400);
    expect((await call('GET', '/api/v1/upstreams/nothing/history')).status).toBe(404);
  });

  it('does not roll a managed document back without force', async () => {
    await writeRaw('upstreams', 'hist-k8s', { id: 'hist-k8s', nodes: [], owner: { kind: 'Service', name: 's' } });
    await writeRaw('upstreams', 'hist-k8s', { id: 'hist-k8s', nodes: [{ host: 'a', port: 1 }], owner: { kind: 'Service', name: 's' } });
    const [older] = (await call('GET', '/api/v1/upstreams/hist-k8s/history')).body;
    const res = await call('POST', '/api/v1/upstreams/hist-k8s/rollback', { body: { modRevision: older.modRevision } });
    expect(res.body.code).toBe('GW_ERR_MANAGED');
    const forced = await call('POST', '/api/v1/upstreams/hist-k8s/rollback?force=true', { body: { modRevision: older.modRevision } });
    expect(forced.status).toBe(200);
    expect(forced.body.nodes).toEqual([]);
  });
});

describe('schemas and OpenAPI', () => {
  it('serves the JSON Schema of a kind', async () => {
    const res = await call('GET', '/api/v1/schema/routes');
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Route');
    expect(res.body.properties.match.properties.paths).toBeDefined();
    expect((await call('GET', '/api/v1/schema/widgets')).body.code).toBe('GW_ERR_UNKNOWN_TYPE');
  });

  it('describes every collection with its schema', async () => {
    const res = await call('GET', '/api/v1/openapi.json', { key: null });
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ in: 'header', name: 'X-API-Key' });
    for (const spec of kinds) {
      const item = doc.paths[`/api/v1/${spec.collection}/{id}`];
      expect(item, spec.collection).toBeDefined();
      expect(item.get).toBeDefined();
      expect(doc.paths[`/api/v1/${spec.collection}`].get).toBeDefined();
      if (spec.adminWritable) {
        expect(item.put.requestBody.content['application/json'].schema.title).toBe((spec.schema as { title?: string }).title);
        expect(item.delete).toBeDefined();
      } else {
        expect(item.put).toBeUndefined();
      }
    }
    expect(JSON.stringify(doc)).not.toContain(ADMIN_KEY);
  });
});

describe('over a real socket', () => {
  it('serves the API with fetch on an ephemeral port', async () => {
    const server = await buildAdmin({ etcd: etcd.endpoint, prefix, adminKey: ADMIN_KEY });
    try {
      await server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = server.server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const put = await fetch(`${base}/api/v1/upstreams/over-fetch`, {
        method: 'PUT',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ nodes: [{ host: 'a', port: 1 }] }),
      });
      expect(put.status).toBe(201);
      const get = await fetch(`${base}/api/v1/upstreams/over-fetch`, { headers: { 'x-api-key': ADMIN_KEY } });
      expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
      expect(((await get.json()) as { nodes: unknown[] }).nodes).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('bodies sent the way curl sends them', () => {
  it('parses a JSON body labelled application/x-www-form-urlencoded (curl -d) as JSON', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/upstreams/curl-style',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ nodes: [{ host: '127.0.0.1', port: 8000 }] }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().nodes[0].port).toBe(8000);
  });
});
