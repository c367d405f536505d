// etcd with authentication enabled: the data plane's source and the admin API log in with
// --etcd-username/--etcd-password, and are refused without them.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdSource } from '../../data-plane/src/config/etcd-source.js';
import type { ConfigSnapshot } from '../../data-plane/src/config/types.js';
import { enableEtcdAuth } from '../helpers/enable-etcd-auth.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway } from '../helpers/processes.js';

let etcd: TestEtcd;
const prefix = '/auth-test';

beforeAll(async () => {
  etcd = await startEtcd();
  const root = new Etcd3({ hosts: etcd.endpoint });
  await root.put(`${prefix}/upstreams/u`).value(JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port: 1 }] }));
  await enableEtcdAuth(root, 'rootpw');
  root.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe('etcd authentication', () => {
  it('loads the config with a username and password', async () => {
    let last: ConfigSnapshot | undefined;
    const source = createEtcdSource({ endpoints: [etcd.endpoint], prefix, auth: { username: 'root', password: 'rootpw' } });
    await source.start((s) => (last = s));
    expect(last?.upstreams.has('u')).toBe(true);
    expect(source.state).toBe('live');
    await source.close();
  });

  it('does not go live without credentials', async () => {
    const source = createEtcdSource({ endpoints: [etcd.endpoint], prefix });
    let delivered = false;
    void source.start(() => (delivered = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(delivered).toBe(false);
    expect(source.state).not.toBe('live');
    await source.close();
  });

  it('lets the admin API write with --etcd-username/--etcd-password', async () => {
    const admin = await startGateway('control-plane', { etcd: etcd.endpoint, prefix, 'etcd-username': 'root', 'etcd-password': 'rootpw' });
    try {
      const res = await fetch(`http://127.0.0.1:${admin.ports.admin}/api/v1/routes/r`, {
        method: 'PUT',
        headers: { 'x-api-key': 'test-key', 'content-type': 'application/json' },
        body: JSON.stringify({ match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'u' }] }),
      });
      expect(res.status).toBe(201);
      const dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, 'etcd-username': 'root', 'etcd-password': 'rootpw' });
      try {
        // The route's only node refuses connections: a 502 proves the route was loaded through auth.
        await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/x`)).status === 502, 15_000, 'route loaded');
      } finally {
        await dp.stop();
      }
    } finally {
      await admin.stop();
    }
  });
});
