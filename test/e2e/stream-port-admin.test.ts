// The admin API refuses a stream route on a port that a live data plane's own HTTP, HTTPS or
// status listener holds (400 naming /listenPort), and lets TLS passthrough by SNI share the
// HTTPS port. Real etcd, real `gateway control-plane` and `gateway data-plane` processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dp: GatewayProcess;
const api = adminClient(() => cp?.ports.admin);
const upstream = { nodes: [{ host: '127.0.0.1', port: 9, weight: 1 }] };

beforeAll(async () => {
  etcd = await startEtcd();
  const prefix = etcd.prefix('stream-ports');
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix });
  cp = await startGateway('control-plane', { etcd: etcd.endpoint, prefix });
  // The data plane's registration names its listeners once it serves.
  await waitFor(
    async () => (await api('GET', '/dataplanes')).body?.items?.[0]?.listeners?.https !== undefined,
    15_000,
    'data plane registered with its listeners',
  );
});

afterAll(async () => {
  await cp?.stop();
  await dp?.stop();
  await etcd?.stop();
});

describe('stream route ports in the admin API', () => {
  it("refuses a TCP route on the data plane's HTTP, HTTPS or status port, naming the listener", async () => {
    const { listeners } = (await api('GET', '/dataplanes')).body.items[0];
    for (const [name, port] of [
      ['http', listeners.http],
      ['https', listeners.https],
      ['status', listeners.status],
    ] as const) {
      const res = await api('PUT', `/stream-routes/on-${name}`, { protocol: 'tcp', listenPort: port, upstream });
      expect(res.status, name).toBe(400);
      expect(res.body.details?.[0]?.path ?? res.body.message).toMatch(/listenPort/);
      expect(JSON.stringify(res.body)).toContain(`${name} listener`);
    }
    expect((await api('GET', '/stream-routes/on-http')).status).toBe(404);
  });

  it('lets a tls route with an SNI share the HTTPS port (passthrough), but not one without', async () => {
    const { listeners } = (await api('GET', '/dataplanes')).body.items[0];
    expect((await api('PUT', '/stream-routes/pass', { protocol: 'tls', sni: 'db.example', listenPort: listeners.https, upstream })).status).toBe(201);
    expect((await api('PUT', '/stream-routes/no-sni', { protocol: 'tls', listenPort: listeners.https, upstream })).status).toBe(400);
  });

  it('accepts other ports, and UDP on a number a TCP listener holds', async () => {
    const { listeners } = (await api('GET', '/dataplanes')).body.items[0];
    expect((await api('PUT', '/stream-routes/free', { protocol: 'tcp', listenPort: await freePort(), upstream })).status).toBe(201);
    expect((await api('PUT', '/stream-routes/udp', { protocol: 'udp', listenPort: listeners.http, upstream })).status).toBe(201);
  });
});
