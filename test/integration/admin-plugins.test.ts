import { Etcd3 } from 'etcd3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey, pluginSpecs } from '@sluice/model';
import { buildAdmin } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';

const ADMIN_KEY = 'admin-secret';

let etcd: TestEtcd;
let client: Etcd3;
let app: FastifyInstance;
let prefix: string;

async function call(method: string, url: string, body?: unknown, key: string | null = ADMIN_KEY) {
  const headers: Record<string, string> = {};
  if (key !== null) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.inject({ method: method as 'GET', url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('admin-plugins');
  app = await buildAdmin({ etcd: client, prefix, adminKey: ADMIN_KEY });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  client?.close();
  await etcd?.stop();
});

describe('GET /api/v1/plugins', () => {
  it('lists every plugin with priority, attachments, description, JSON schema and example', async () => {
    const res = await call('GET', '/api/v1/plugins');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(pluginSpecs.length);
    const names = res.body.items.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['key-auth', 'limit-count', 'cors', 'proxy-rewrite', 'basic-auth']));
    const priorities = res.body.items.map((p: { priority: number }) => p.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    const limit = res.body.items.find((p: { name: string }) => p.name === 'limit-count');
    expect(limit).toMatchObject({ priority: 1002, attachTo: expect.arrayContaining(['route']), description: expect.any(String) });
    expect(limit.schema.properties.count).toMatchObject({ type: 'integer', minimum: 1 });
    expect(limit.schema.required).toEqual(expect.arrayContaining(['count', 'timeWindow']));
    expect(limit.example).toMatchObject({ count: 100 });
  });

  it('serves one plugin, with the consumer schema of an auth plugin, and 404 for an unknown one', async () => {
    const keyAuth = await call('GET', '/api/v1/plugins/key-auth');
    expect(keyAuth.status).toBe(200);
    expect(keyAuth.body).toMatchObject({ name: 'key-auth', type: 'auth' });
    expect(keyAuth.body.consumerSchema.required).toEqual(['key']);
    const unknown = await call('GET', '/api/v1/plugins/no-such-plugin');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('GW_ERR_NOT_FOUND');
  });

  it('needs the API key', async () => {
    expect((await call('GET', '/api/v1/plugins', undefined, null)).status).toBe(401);
    expect((await call('GET', '/api/v1/plugins/cors', undefined, 'wrong')).status).toBe(401);
  });
});

describe('plugin configs in documents', () => {
  it('rejects a bad limit-count config with 400 naming /plugins/limit-count/count, and stores nothing', async () => {
    const res = await call('PUT', '/api/v1/routes/limited', { plugins: { 'limit-count': { count: 0, timeWindow: 60 } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('GW_ERR_VALIDATION');
    expect(res.body.details).toEqual([expect.objectContaining({ path: '/plugins/limit-count/count' })]);
    expect(await client.get(documentKey(prefix, 'routes', 'limited')).string()).toBeNull();
  });

  it('rejects an unknown plugin with 400 naming it', async () => {
    const res = await call('POST', '/api/v1/routes', { plugins: { 'no-such-plugin': {} } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: '/plugins/no-such-plugin', message: 'is not a known plugin' }]);
  });

  it('checks consumers, plugin configs and global rules with the same specs', async () => {
    const consumer = await call('PUT', '/api/v1/consumers/jack', { plugins: { 'key-auth': {} } });
    expect(consumer.status).toBe(400);
    expect(consumer.body.details[0].path).toBe('/plugins/key-auth/key');
    const pluginConfig = await call('PUT', '/api/v1/plugin-configs/pc', { plugins: { cors: { allowCredential: true } } });
    expect(pluginConfig.status).toBe(400);
    expect(pluginConfig.body.details[0].path).toBe('/plugins/cors/allowOrigins');
    const globalRule = await call('PUT', '/api/v1/global-rules/g', { plugins: { 'ip-restriction': { whitelist: ['300.1.1.1'] } } });
    expect(globalRule.status).toBe(400);
    expect(globalRule.body.details[0].path).toBe('/plugins/ip-restriction/whitelist/0');
  });

  it('accepts good configs everywhere they attach', async () => {
    expect((await call('PUT', '/api/v1/consumers/jack', { plugins: { 'key-auth': { key: 'k-1' }, 'limit-count': { count: 5, timeWindow: 1 } } })).status).toBe(
      201,
    );
    expect((await call('PUT', '/api/v1/plugin-configs/pc', { plugins: { cors: {}, 'request-id': {} } })).status).toBe(201);
    const route = await call('PUT', '/api/v1/routes/limited', {
      pluginConfigId: 'pc',
      plugins: { 'key-auth': { hideCredentials: true }, 'limit-count': { count: 10, timeWindow: 60 }, 'proxy-rewrite': { regexUri: ['^/a/(.*)', '/$1'] } },
    });
    expect(route.status).toBe(201);
    expect(JSON.parse((await client.get(documentKey(prefix, 'routes', 'limited')).string())!).plugins['limit-count'].count).toBe(10);
  });
});
