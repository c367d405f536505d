import fs from 'node:fs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminOnEtcd, type AdminOnEtcd } from '../helpers/admin-on-etcd.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { injectAdmin } from '../helpers/inject-admin.js';

const ADMIN_KEY = 'transfer-admin';

let admin: AdminOnEtcd;
let pki: TestPki;

// String bodies (exports being imported back) go as YAML.
const call = injectAdmin(() => admin.app, ADMIN_KEY);

/** Every document under the prefix as etcd holds it (admin records aside). */
async function storedDocuments(): Promise<Record<string, string>> {
  const all = await admin.client.getAll().prefix(`${admin.prefix}/`).strings();
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.includes('/_admin/')));
}

beforeAll(async () => {
  admin = await startAdminOnEtcd('admin-transfer', { adminKey: ADMIN_KEY });
  pki = makeTestPki();
  const ok = (r: { status: number; body: unknown }) => expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  ok(await call('PUT', '/upstreams/web', { nodes: [{ host: '127.0.0.1', port: 8080 }], labels: { team: 'a' } }));
  ok(
    await call('PUT', '/routes/shop', {
      labels: { team: 'a' },
      match: { hosts: ['shop.test'], paths: [{ type: 'prefix', value: '/' }] },
      backends: [{ upstreamId: 'web' }],
    }),
  );
  ok(
    await call('PUT', '/routes/blog', {
      labels: { team: 'b' },
      match: { paths: [{ type: 'prefix', value: '/blog' }] },
      backends: [{ upstreamId: 'web' }],
      plugins: { cors: {} },
    }),
  );
  ok(await call('POST', '/consumers', { username: 'jack', plugins: { 'key-auth': { key: 'jack-key' } } }));
  ok(await call('PUT', '/ssls/localhost', { snis: ['localhost'], cert: fs.readFileSync(pki.serverCert, 'utf8'), key: fs.readFileSync(pki.serverKey, 'utf8') }));
});

afterAll(async () => {
  await admin?.close();
  pki?.cleanup();
});

describe('export and import', () => {
  it('export → delete everything → import gives back identical documents', async () => {
    const before = await storedDocuments();
    expect(Object.keys(before).length).toBe(5);
    const exported = await call('GET', '/export?includeSecrets=true');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/yaml');
    const docs = YAML.parseAllDocuments(exported.body as string).map((d) => d.toJS());
    expect(docs.map((d) => `${d.collection}/${d.id}`).sort()).toEqual(['consumers/jack', 'routes/blog', 'routes/shop', 'ssls/localhost', 'upstreams/web']);

    for (const path of ['/routes/shop', '/routes/blog', '/upstreams/web', '/consumers/jack', '/ssls/localhost']) {
      expect((await call('DELETE', path)).status).toBe(200);
    }
    expect(Object.keys(await storedDocuments())).toEqual([]);

    const preview = await call('POST', '/import?dryRun=true', exported.body);
    expect(preview.status).toBe(200);
    expect(preview.body.create.length).toBe(5);
    expect(preview.body.errors).toEqual([]);
    expect(preview.body.revision).toBeUndefined();
    expect(Object.keys(await storedDocuments())).toEqual([]);

    const applied = await call('POST', '/import', exported.body);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.create.length).toBe(5);
    expect(applied.body.revision).toBeGreaterThan(0);
    const after = await storedDocuments();
    expect(after).toEqual(before);
    // One transaction: every document carries the same mod revision.
    const revisions = new Set(
      (await admin.client.getAll().prefix(`${admin.prefix}/`).exec()).kvs.filter((kv) => !kv.key.toString().includes('/_admin/')).map((kv) => kv.mod_revision),
    );
    expect([...revisions]).toEqual([String(applied.body.revision)]);

    const again = await call('POST', '/import', exported.body);
    expect(again.body.unchanged.length).toBe(5);
    expect(again.body.create).toEqual([]);

    const audit = await call('GET', '/audit?limit=5');
    expect(audit.body.items.every((e: { action: string; key: string }) => e.action === 'import' && e.key === 'admin')).toBe(true);
    expect(JSON.stringify(audit.body)).not.toContain('PRIVATE KEY');
  });

  it('leaves ssl keys out unless asked, filters by collection, label and owner, and keeps the stored key on import', async () => {
    const plain = (await call('GET', '/export')).body as string;
    expect(plain).not.toContain('PRIVATE KEY');
    expect(plain).toContain('BEGIN CERTIFICATE');
    const filtered = YAML.parseAllDocuments((await call('GET', '/export?collections=routes,upstreams&label=team=a&owner=admin')).body as string).map((d) =>
      d.toJS(),
    );
    expect(filtered.map((d) => `${d.collection}/${d.id}`)).toEqual(['routes/shop', 'upstreams/web']);
    expect((await call('GET', '/export?collections=nope')).status).toBe(400);

    // An export without keys imports over the stored ssl: the key stays, nothing changes.
    const reimport = await call('POST', '/import', plain);
    expect(reimport.status, JSON.stringify(reimport.body)).toBe(200);
    expect(reimport.body.unchanged.length).toBe(5);
  });

  it('previews updates with before and after, and applies nothing when any document is bad', async () => {
    const before = await storedDocuments();
    const items = [
      { collection: 'upstreams', id: 'web', document: { ...JSON.parse(before[`${admin.prefix}/upstreams/web`]), desc: 'new desc' } },
      { collection: 'upstreams', id: 'fresh', document: { id: 'fresh', nodes: [{ host: '127.0.0.1', port: 9 }] } },
      {
        collection: 'routes',
        id: 'broken',
        document: { id: 'broken', match: { paths: [{ type: 'prefix', value: 'no-slash' }] }, backends: [{ upstreamId: 'missing' }] },
      },
      { collection: 'widgets', id: 'w', document: {} },
    ];
    const preview = await call('POST', '/import?dryRun=true', items);
    expect(preview.status).toBe(200);
    expect(preview.body.update).toEqual([
      { collection: 'upstreams', id: 'web', before: expect.objectContaining({ id: 'web' }), after: expect.objectContaining({ desc: 'new desc' }) },
    ]);
    expect(preview.body.create).toEqual([{ collection: 'upstreams', id: 'fresh', after: { id: 'fresh', nodes: [{ host: '127.0.0.1', port: 9 }] } }]);
    expect(preview.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ collection: 'routes', id: 'broken', path: '/match/paths/0/value' }),
        expect.objectContaining({ collection: 'widgets', path: '' }),
      ]),
    );

    const refused = await call('POST', '/import', items);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('GW_ERR_IMPORT_INVALID');
    expect(refused.body.errors.length).toBeGreaterThanOrEqual(2);
    expect(await storedDocuments()).toEqual(before);

    const missingRef = await call('POST', '/import', [
      { collection: 'routes', id: 'dangling', document: { match: { paths: [{ type: 'prefix', value: '/d' }] }, backends: [{ upstreamId: 'ghost' }] } },
    ]);
    expect(missingRef.status).toBe(400);
    expect(missingRef.body.errors[0]).toMatchObject({ path: '/backends/0/upstreamId', message: expect.stringContaining('ghost') });

    // A reference to a document of the same import is fine.
    const together = await call('POST', '/import', [
      { collection: 'routes', id: 'pair', document: { match: { paths: [{ type: 'prefix', value: '/pair' }] }, backends: [{ upstreamId: 'pair-up' }] } },
      { collection: 'upstreams', id: 'pair-up', document: { nodes: [{ host: '127.0.0.1', port: 7 }] } },
    ]);
    expect(together.status, JSON.stringify(together.body)).toBe(200);
    expect(together.body.create.length).toBe(2);
    expect((await call('GET', '/routes/pair')).body.backends).toEqual([{ upstreamId: 'pair-up' }]);
    expect((await call('POST', '/import', 'not: [valid')).status).toBe(400);
  });

  it('imports an OpenAPI 3 document as routes on one upstream', async () => {
    const api = YAML.stringify({
      openapi: '3.0.3',
      info: { title: 'pets', version: '1' },
      servers: [{ url: 'https://pets.example.test/v1' }],
      paths: {
        '/pets': { get: { operationId: 'listPets', summary: 'List pets' }, post: { operationId: 'createPet' } },
        '/pets/{petId}': { get: { operationId: 'showPet' } },
        '/health': { get: {} },
      },
    });
    const preview = await call('POST', '/import/openapi?upstream=web&dryRun=true', api);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.errors).toEqual([]);
    expect(preview.body.create.map((c: { id: string }) => c.id).sort()).toEqual(['get-post-v1-pets', 'get-v1-health', 'showPet']);
    expect((await call('GET', '/routes/showPet')).status).toBe(404);

    const applied = await call('POST', '/import/openapi?upstream=web', api);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const show = (await call('GET', '/routes/showPet')).body;
    expect(show.match).toEqual({ paths: [{ type: 'regex', value: '/v1/pets/[^/]+' }], methods: ['GET'], hosts: ['pets.example.test'] });
    expect(show.backends).toEqual([{ upstreamId: 'web', weight: 1 }]);
    const list = (await call('GET', '/routes/get-post-v1-pets')).body;
    expect(list.match.paths).toEqual([{ type: 'exact', value: '/v1/pets' }]);
    expect(list.match.methods).toEqual(['GET', 'POST']);

    expect((await call('POST', '/import/openapi?upstream=nowhere&dryRun=true', api)).body.errors[0].message).toContain('nowhere');
    expect((await call('POST', '/import/openapi?upstream=web', { swagger: '2.0' })).status).toBe(400);
    expect((await call('POST', '/import/openapi', api)).status).toBe(400);
  });
});
