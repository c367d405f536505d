// Admin API authentication through a real `gateway control-plane` (DESIGN.md "Admin API"):
// 401 when the key is missing or unknown, 403 when the key's role does not allow the action.
// Nothing is written either way: judged by the document store, not only the status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

const ADMIN_KEY = 'edge-admin-key';
const VIEWER_KEY = 'edge-viewer-key';
let etcd: TestEtcd;
let cp: GatewayProcess;
const asAdmin = adminClient(() => cp.ports.admin, ADMIN_KEY);

beforeAll(async () => {
  etcd = await startEtcd();
  cp = await startGateway('control-plane', { etcd: etcd.endpoint, prefix: etcd.prefix('admin-auth'), 'admin-key': ADMIN_KEY, 'viewer-key': VIEWER_KEY });
});
afterAll(async () => {
  await cp?.stop();
  await etcd?.stop();
});

const route = { match: { paths: [{ type: 'prefix', value: '/x' }] }, upstream: { nodes: [{ host: '127.0.0.1', port: 1, weight: 1 }] } };

describe('admin API keys', () => {
  it.each([
    ['no key', undefined],
    ['an empty key', ''],
    ['a wrong key', 'not-the-key'],
    ['the admin key with a byte changed', ADMIN_KEY.slice(0, -1) + 'X'],
    ['a prefix of the admin key', ADMIN_KEY.slice(0, 4)],
  ])('%s gets 401 and changes nothing', async (_name, key) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== undefined) headers['x-api-key'] = key;
    const res = await fetch(`http://127.0.0.1:${cp.ports.admin}/api/v1/routes/probe`, { method: 'PUT', headers, body: JSON.stringify(route) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('GW_ERR_UNAUTHORIZED');
    expect((await asAdmin('GET', '/routes/probe')).status).toBe(404);
  });

  it('a viewer key may read but a write gets 403, and nothing is written', async () => {
    const asViewer = adminClient(() => cp.ports.admin, VIEWER_KEY);
    expect((await asViewer('GET', '/routes')).status).toBe(200);
    expect((await asViewer('PUT', '/routes/probe', route)).status).toBe(403);
    expect((await asAdmin('GET', '/routes/probe')).status).toBe(404);
  });

  it('the admin key writes', async () => {
    expect((await asAdmin('PUT', '/routes/probe', route)).status).toBe(201);
  });
});
