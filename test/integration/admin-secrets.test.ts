// Secrets are write-only for every role (issue 17): a viewer, an editor and an admin read
// consumers, routes, history, the audit log, exports and import previews without a credential
// in them; the placeholder they get writes back as "keep"; only an admin's explicit export with
// secrets carries them. The data planes still get the real values from etcd.
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '@sluice/model';
import { startAdminOnEtcd, type AdminOnEtcd } from '../helpers/admin-on-etcd.js';
import { injectAdmin } from '../helpers/inject-admin.js';

const ADMIN_KEY = 'secrets-admin';
const VIEWER_KEY = 'secrets-viewer';
const SECRETS = ['alice-api-key-1', 'hunter2-password', 'jwt-shared-secret', 'redis-pass-9', 'Bearer log-token'];

let admin: AdminOnEtcd;
let editorKey: string;
const call = injectAdmin(() => admin.app, ADMIN_KEY);

/** Fails naming the secret a reply leaks. */
function expectNoSecret(body: unknown, what: string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const secret of SECRETS) expect(text, `${what} leaks ${secret}`).not.toContain(secret);
}

async function stored(collection: string, id: string): Promise<Record<string, any>> {
  return JSON.parse((await admin.client.get(`${admin.prefix}/${collection}/${id}`).string())!);
}

beforeAll(async () => {
  admin = await startAdminOnEtcd('admin-secrets', { adminKey: ADMIN_KEY, viewerKey: VIEWER_KEY });
  editorKey = (await call('POST', '/admin-keys', { name: 'ed', role: 'editor' })).body.key;
  expect((await call('PUT', '/upstreams/u', { nodes: [{ host: '127.0.0.1', port: 1 }] })).status).toBe(201);
  const alice = await call('PUT', '/consumers/alice', {
    username: 'alice',
    plugins: {
      'key-auth': { key: 'alice-api-key-1' },
      'basic-auth': { username: 'alice', password: 'hunter2-password' },
      'jwt-auth': { key: 'alice-jwt', secret: 'jwt-shared-secret' },
    },
  });
  expect(alice.status).toBe(201);
  const route = await call('PUT', '/routes/limited', {
    match: { paths: [{ type: 'prefix', value: '/limited' }] },
    backends: [{ upstreamId: 'u' }],
    plugins: {
      'limit-count': { count: 5, timeWindow: 60, policy: 'redis', redisHost: '127.0.0.1', redisPassword: 'redis-pass-9' },
      'http-logger': { uri: 'http://127.0.0.1:9/log', authHeader: 'Bearer log-token' },
    },
  });
  expect(route.status, JSON.stringify(route.body)).toBe(201);
  // A second version of each, so history has a diff to show.
  expect((await call('PATCH', '/consumers/alice', { desc: 'second version' })).status).toBe(200);
  expect((await call('PATCH', '/routes/limited', { desc: 'second version' })).status).toBe(200);
});

afterAll(async () => {
  await admin?.close();
});

describe('secrets are write-only for every role', () => {
  for (const [role, key] of [
    ['a viewer', () => VIEWER_KEY],
    ['an editor', () => editorKey],
    ['an admin', () => ADMIN_KEY],
  ] as const) {
    it(`${role} reads consumers, routes, lists, history and the audit log with placeholders only`, async () => {
      const as = (url: string) => call('GET', url, undefined, key());
      const consumer = await as('/consumers/alice');
      expect(consumer.status).toBe(200);
      expect(consumer.body.plugins).toEqual({
        'key-auth': { key: SECRET_PLACEHOLDER },
        'basic-auth': { username: 'alice', password: SECRET_PLACEHOLDER },
        'jwt-auth': { key: 'alice-jwt', secret: SECRET_PLACEHOLDER },
      });
      const route = await as('/routes/limited');
      expect(route.body.plugins['limit-count']).toMatchObject({ count: 5, redisPassword: SECRET_PLACEHOLDER });
      expect(route.body.plugins['http-logger']).toMatchObject({ uri: 'http://127.0.0.1:9/log', authHeader: SECRET_PLACEHOLDER });
      for (const url of ['/consumers', '/routes', '/consumers/alice/history', '/routes/limited/history', '/audit', '/audit?collection=consumers']) {
        const res = await as(url);
        expect(res.status, url).toBe(200);
        expectNoSecret(res.body, `${role} GET ${url}`);
      }
      const history = await as('/consumers/alice/history');
      expect(history.body[0].document.plugins['key-auth'].key).toBe(SECRET_PLACEHOLDER);
      const audit = (await as('/audit?collection=consumers&id=alice')).body.items;
      expect(audit.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
      expect(audit[1].after.plugins['basic-auth'].password).toBe(SECRET_PLACEHOLDER);
    });
  }

  it('exports carry placeholders; only an admin may ask for the secrets themselves', async () => {
    for (const key of [VIEWER_KEY, editorKey, ADMIN_KEY]) {
      const res = await call('GET', '/export?collections=consumers,routes', undefined, key);
      expect(res.status).toBe(200);
      expectNoSecret(res.body, 'export');
      expect(res.body).toContain(SECRET_PLACEHOLDER);
    }
    expect((await call('GET', '/export?includeSecrets=true', undefined, VIEWER_KEY)).status).toBe(403);
    expect((await call('GET', '/export?includeSecrets=true', undefined, editorKey)).status).toBe(403);
    const full = await call('GET', '/export?collections=consumers&includeSecrets=true');
    expect(full.status).toBe(200);
    expect(full.body).toContain('alice-api-key-1');
    expect(full.body).toContain('hunter2-password');
  });

  it('the placeholder written back keeps each stored secret; a new value replaces only its own', async () => {
    const got = (await call('GET', '/consumers/alice')).body;
    const edited = { ...got, plugins: { ...got.plugins, 'basic-auth': { username: 'alice', password: 'new-password-2' } } };
    expect((await call('PUT', '/consumers/alice', edited, editorKey)).status).toBe(200);
    const raw = await stored('consumers', 'alice');
    expect(raw.plugins['key-auth'].key).toBe('alice-api-key-1');
    expect(raw.plugins['jwt-auth'].secret).toBe('jwt-shared-secret');
    expect(raw.plugins['basic-auth'].password).toBe('new-password-2');

    const route = (await call('GET', '/routes/limited')).body;
    expect((await call('PUT', '/routes/limited', { ...route, desc: 'third' })).status).toBe(200);
    expect((await stored('routes', 'limited')).plugins['limit-count'].redisPassword).toBe('redis-pass-9');
    // An optional secret left out is removed (a PUT replaces); a required one left out is kept.
    const { authHeader: _gone, ...logger } = route.plugins['http-logger'];
    expect((await call('PUT', '/routes/limited', { ...route, plugins: { ...route.plugins, 'http-logger': logger } })).status).toBe(200);
    expect((await stored('routes', 'limited')).plugins['http-logger'].authHeader).toBeUndefined();
    expect((await call('PUT', '/consumers/alice', { ...got, plugins: { ...got.plugins, 'key-auth': {} } })).status).toBe(200);
    expect((await stored('consumers', 'alice')).plugins['key-auth'].key).toBe('alice-api-key-1');
  });

  it('refuses a placeholder where no secret is stored, naming the field', async () => {
    const res = await call('PUT', '/consumers/bob', { username: 'bob', plugins: { 'key-auth': { key: SECRET_PLACEHOLDER } } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: '/plugins/key-auth/key', message: expect.stringContaining('no secret is stored there') }]);
    expect((await call('GET', '/consumers/bob')).status).toBe(404);
    const validated = await call('POST', '/validate/consumers', { username: 'bob', plugins: { 'key-auth': { key: SECRET_PLACEHOLDER } } });
    expect(validated.body.valid).toBe(false);
  });

  it('an export without secrets imports back unchanged, and an import preview shows no secret', async () => {
    const exported = (await call('GET', '/export?collections=consumers,routes')).body as string;
    const plan = await call('POST', '/import?dryRun=true', exported);
    expect(plan.status).toBe(200);
    expect(plan.body.errors).toEqual([]);
    expect(plan.body.update).toEqual([]);
    expect(plan.body.unchanged.map((u: { id: string }) => u.id).sort()).toEqual(['alice', 'limited']);

    // A changed import shows its diff with placeholders on both sides.
    const items = YAML.parseAllDocuments(exported).map((d) => d.toJS());
    const alice = items.find((i) => i.id === 'alice');
    alice.document.desc = 'imported';
    const changed = await call('POST', '/import?dryRun=true', YAML.stringify(alice));
    expect(changed.body.update).toHaveLength(1);
    expectNoSecret(changed.body, 'import preview');
    expect(changed.body.update[0].after.plugins['key-auth'].key).toBe(SECRET_PLACEHOLDER);
  });
});
