import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '@sluice/model';
import { buildAdmin } from '../../control-plane/src/index.js';
import { createAuditLog } from '../../control-plane/src/store/audit-log.js';
import { startAdminOnEtcd, type AdminOnEtcd } from '../helpers/admin-on-etcd.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { injectAdmin } from '../helpers/inject-admin.js';
import { waitFor } from '../helpers/ports.js';

const ADMIN_KEY = 'roles-admin-secret';
const VIEWER_KEY = 'roles-viewer-secret';

let admin: AdminOnEtcd;
let pki: TestPki;

const call = injectAdmin(() => admin.app, ADMIN_KEY);

beforeAll(async () => {
  admin = await startAdminOnEtcd('admin-roles', { adminKey: ADMIN_KEY, viewerKey: VIEWER_KEY });
  pki = makeTestPki();
  expect((await call('PUT', '/upstreams/u1', { nodes: [{ host: '127.0.0.1', port: 1 }] })).status).toBe(201);
});

afterAll(async () => {
  await admin?.close();
  pki?.cleanup();
});

describe('admin keys and roles', () => {
  it('whoami names the bootstrap keys', async () => {
    expect((await call('GET', '/whoami')).body).toEqual({ name: 'admin', role: 'admin' });
    expect((await call('GET', '/whoami', undefined, VIEWER_KEY)).body).toEqual({ name: 'viewer', role: 'viewer' });
    expect((await call('GET', '/whoami', undefined, 'nope')).status).toBe(401);
  });

  it('creates a key shown once, stores only its hash, lists it without the hash, and deletes it', async () => {
    const created = await call('POST', '/admin-keys', { name: 'ops', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ops', role: 'viewer' });
    expect(created.body.key).toMatch(/^sk_[A-Za-z0-9_-]{40,}$/);
    const raw = await admin.client.get(`${admin.prefix}/_admin/keys/ops`).string();
    expect(raw).not.toContain(created.body.key);
    expect(JSON.parse(raw!).hash).toMatch(/^[0-9a-f]{64}$/);

    const listed = await call('GET', '/admin-keys');
    expect(listed.body.items).toEqual([{ name: 'ops', role: 'viewer', created: expect.any(String) }]);
    expect(JSON.stringify(listed.body)).not.toContain('hash');

    expect((await call('GET', '/whoami', undefined, created.body.key)).body).toEqual({ name: 'ops', role: 'viewer' });
    expect((await call('POST', '/admin-keys', { name: 'ops', role: 'viewer' })).status).toBe(409);
    expect((await call('DELETE', '/admin-keys/ops')).status).toBe(200);
    expect((await call('GET', '/whoami', undefined, created.body.key)).status).toBe(401);
    expect((await call('DELETE', '/admin-keys/ops')).status).toBe(404);
  });

  it('rejects bad key bodies with the field named', async () => {
    const bad = await call('POST', '/admin-keys', { name: 'x', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('/role');
    const kinds = await call('POST', '/admin-keys', { name: 'x', role: 'editor', kinds: ['routes', 'nonsense'] });
    expect(kinds.status).toBe(400);
    expect(kinds.body.details[0].path).toBe('/kinds/1');
    expect((await call('POST', '/admin-keys', { name: 'admin', role: 'admin' })).body.details[0].path).toBe('/name');
  });

  it('a key made by another control plane works once its watch delivers it', async () => {
    const other = await buildAdmin({ etcd: admin.client, prefix: admin.prefix, adminKey: 'other-admin' });
    try {
      await other.ready();
      // The other app starts its watch on first use; then learns keys written elsewhere.
      const first = await other.inject({ method: 'GET', url: '/api/v1/whoami', headers: { 'x-api-key': 'not-a-key' } });
      expect(first.statusCode).toBe(401);
      const made = await call('POST', '/admin-keys', { name: 'remote', role: 'viewer' });
      await waitFor(
        async () => {
          const r = await other.inject({ method: 'GET', url: '/api/v1/whoami', headers: { 'x-api-key': made.body.key } });
          return r.statusCode === 200 && JSON.parse(r.body).name === 'remote';
        },
        5000,
        'key seen by the other app',
      );
    } finally {
      await other.close();
    }
  });

  it('viewers only read; only admins manage keys and import', async () => {
    const viewer = await call('PUT', '/upstreams/v', { nodes: [{ host: '127.0.0.1', port: 2 }] }, VIEWER_KEY);
    expect(viewer.status).toBe(403);
    expect(viewer.body.code).toBe('GW_ERR_VIEWER_READ_ONLY');
    expect((await call('GET', '/upstreams/u1', undefined, VIEWER_KEY)).status).toBe(200);
    const editor = (await call('POST', '/admin-keys', { name: 'ed0', role: 'editor' })).body.key;
    const keys = await call('GET', '/admin-keys', undefined, editor);
    expect(keys.status).toBe(403);
    expect(keys.body.code).toBe('GW_ERR_ADMIN_ONLY');
    expect((await call('POST', '/import', [], editor)).body.code).toBe('GW_ERR_ADMIN_ONLY');
    expect((await call('GET', '/export?includeSecrets=true', undefined, editor)).status).toBe(403);
  });

  it('an editor writes only its kinds and documents carrying its labels, before and after', async () => {
    const made = await call('POST', '/admin-keys', { name: 'team-a', role: 'editor', kinds: ['routes'], labels: { team: 'a' } });
    const key = made.body.key;
    expect((await call('GET', '/whoami', undefined, key)).body).toEqual({ name: 'team-a', role: 'editor', kinds: ['routes'], labels: { team: 'a' } });
    const route = (labels: Record<string, string>) => ({ labels, match: { paths: [{ type: 'prefix', value: '/a' }] }, backends: [{ upstreamId: 'u1' }] });

    const ok = await call('PUT', '/routes/ra', route({ team: 'a' }), key);
    expect(ok.status).toBe(201);

    const otherKind = await call('PUT', '/upstreams/ua', { nodes: [{ host: '127.0.0.1', port: 3 }] }, key);
    expect(otherKind.status).toBe(403);
    expect(otherKind.body.code).toBe('GW_ERR_EDITOR_SCOPE');
    expect(otherKind.body.message).toContain('routes');

    const wrongLabel = await call('PUT', '/routes/rb', route({ team: 'b' }), key);
    expect(wrongLabel.status).toBe(403);
    expect(wrongLabel.body.message).toContain('new document');

    // Moving its own document out of scope is refused too.
    const moveOut = await call('PATCH', '/routes/ra', { labels: { team: 'b' } }, key);
    expect(moveOut.status).toBe(403);

    // A document of another team: neither changed nor deleted by this editor.
    expect((await call('PUT', '/routes/rc', route({ team: 'c' }))).status).toBe(201);
    const takeOver = await call('PUT', '/routes/rc', route({ team: 'a' }), key);
    expect(takeOver.status).toBe(403);
    expect(takeOver.body.message).toContain('stored document');
    expect((await call('DELETE', '/routes/rc', undefined, key)).status).toBe(403);
    expect((await call('GET', '/routes/rc')).body.labels).toEqual({ team: 'c' });

    expect((await call('DELETE', '/routes/ra', undefined, key)).status).toBe(200);
  });
});

describe('audit log', () => {
  it('records every write with the key name, newest first, with filters and a cursor', async () => {
    const key = (await call('POST', '/admin-keys', { name: 'auditor-ed', role: 'editor', kinds: ['upstreams'] })).body.key;
    await call('PUT', '/upstreams/au', { nodes: [{ host: '127.0.0.1', port: 10 }] }, key);
    await call('PATCH', '/upstreams/au', { desc: 'changed' }, key);
    const history = await call('GET', '/upstreams/au/history');
    await call('POST', '/upstreams/au/rollback', { modRevision: history.body[0].modRevision });
    await call('DELETE', '/upstreams/au', undefined, key);

    const page = await call('GET', '/audit?collection=upstreams&id=au');
    expect(page.status).toBe(200);
    expect(page.body.items.map((e: { action: string; key: string }) => `${e.action}:${e.key}`)).toEqual([
      'delete:auditor-ed',
      'rollback:admin',
      'update:auditor-ed',
      'create:auditor-ed',
    ]);
    const [del, , update, create] = page.body.items;
    expect(del.before.id).toBe('au');
    expect(del.after).toBeUndefined();
    expect(update.before.desc).toBeUndefined();
    expect(update.after.desc).toBe('changed');
    expect(create.role).toBe('editor');
    expect(Date.parse(create.at)).toBeGreaterThan(0);
    expect(del.revision).toBeGreaterThan(create.revision);

    const byKey = await call('GET', '/audit?key=auditor-ed&limit=2');
    expect(byKey.body.items.map((e: { action: string }) => e.action)).toEqual(['delete', 'update']);
    const next = await call('GET', `/audit?key=auditor-ed&limit=2&before=${byKey.body.next}`);
    expect(next.body.items.map((e: { action: string }) => e.action)).toEqual(['create', 'key-create'].slice(0, next.body.items.length));
    expect(next.body.items[0].action).toBe('create');

    const keyEntries = await call('GET', '/audit?collection=admin-keys&id=auditor-ed');
    expect(keyEntries.body.items[0]).toMatchObject({ action: 'key-create', key: 'admin', collection: 'admin-keys' });
    expect(JSON.stringify(keyEntries.body)).not.toMatch(/hash|sk_/);
    expect((await call('GET', '/audit?before=garbage')).status).toBe(400);
  });

  it('keeps only the newest entries when trimmed, also in the background', async () => {
    const log = createAuditLog(admin.client, admin.etcd.prefix('audit-trim'), { maxEntries: 3 });
    const entry = (revision: number) => ({
      at: new Date().toISOString(),
      key: 'k',
      role: 'admin' as const,
      action: 'create' as const,
      collection: 'routes',
      id: `r${revision}`,
      revision,
    });
    for (let i = 1; i <= 5; i++) await log.append([entry(i)]);
    expect((await log.list({ limit: 10 })).items.length).toBe(5);
    await log.trim();
    expect((await log.list({ limit: 10 })).items.map((e) => e.id)).toEqual(['r5', 'r4', 'r3']);
    // 100 appends start a trim of their own.
    await log.append(Array.from({ length: 100 }, (_, i) => entry(100 + i)));
    await log.close();
    expect((await log.list({ limit: 10 })).items.map((e) => e.revision)).toEqual([199, 198, 197]);
  });
});

describe('ssl secrets', () => {
  it('never returns the private key, keeps it when a write sends the placeholder or leaves it out, and audits without it', async () => {
    const cert = fs.readFileSync(pki.serverCert, 'utf8');
    const key = fs.readFileSync(pki.serverKey, 'utf8');
    const put = await call('PUT', '/ssls/s1', { snis: ['localhost'], cert, key });
    expect(put.status).toBe(201);
    expect(put.body.key).toBe(SECRET_PLACEHOLDER);
    const got = await call('GET', '/ssls/s1');
    expect(got.body).toMatchObject({ id: 's1', key: SECRET_PLACEHOLDER });
    const list = await call('GET', '/ssls');
    expect(JSON.stringify(list.body)).not.toContain('PRIVATE KEY');

    // The UI sends back what it got (the placeholder): the stored key stays.
    const again = await call('PUT', '/ssls/s1', { ...got.body, snis: ['localhost', 'example.test'] });
    expect(again.status).toBe(200);
    expect(JSON.parse((await admin.client.get(`${admin.prefix}/ssls/s1`).string())!).key).toBe(key);
    // A required secret left out is kept too; a patch leaves it alone.
    const { key: _key, ...withoutKey } = got.body;
    expect((await call('PUT', '/ssls/s1', { ...withoutKey, snis: ['localhost', 'example.test'] })).status).toBe(200);
    expect(JSON.parse((await admin.client.get(`${admin.prefix}/ssls/s1`).string())!).key).toBe(key);
    expect((await call('PATCH', '/ssls/s1', { desc: 'patched' })).status).toBe(200);
    expect(JSON.parse((await admin.client.get(`${admin.prefix}/ssls/s1`).string())!).key).toBe(key);

    const history = await call('GET', '/ssls/s1/history');
    expect(JSON.stringify(history.body)).not.toContain('PRIVATE KEY');
    const audit = await call('GET', '/audit?collection=ssls');
    expect(audit.body.items.length).toBe(4);
    expect(JSON.stringify(audit.body)).not.toContain('PRIVATE KEY');

    const info = await call('GET', '/ssls/s1/info');
    expect(info.body).toMatchObject({ snis: ['localhost', 'example.test'], subject: 'CN=localhost', issuer: 'CN=sluice-test-ca' });
    expect(info.body.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(info.body.daysLeft).toBeGreaterThanOrEqual(0);
    expect(info.body.daysLeft).toBeLessThanOrEqual(2);
    expect(Date.parse(info.body.validTo)).toBeGreaterThan(Date.now());
  });

  it('refuses a certificate that does not parse, or a key that is not its key, naming the field', async () => {
    const cert = fs.readFileSync(pki.serverCert, 'utf8');
    const otherKey = fs.readFileSync(pki.clientKey, 'utf8');
    const mismatch = await call('PUT', '/ssls/s2', { snis: ['localhost'], cert, key: otherKey });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0]).toMatchObject({ path: '/key', message: expect.stringContaining('does not match') });
    const badCert = await call('PUT', '/ssls/s2', {
      snis: ['localhost'],
      cert: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n',
      key: otherKey,
    });
    expect(badCert.status).toBe(400);
    expect(badCert.body.details[0].path).toBe('/cert');
    expect((await call('GET', '/ssls/s2')).status).toBe(404);
  });
});
