// `npm start` runs `gateway up`: local etcd, admin API, data plane and the example route.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

let up: GatewayProcess;

beforeAll(async () => {
  up = await startGateway('up', { workers: 2 });
}, 60_000);

afterAll(async () => {
  await up?.stop();
});

describe('gateway up', () => {
  it('starts its own etcd and serves the example route so the first curl works', async () => {
    expect(up.output()).toMatch(/started etcd at http:\/\/127\.0\.0\.1:\d+/);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${up.ports.http}/example`)).status === 200, 15_000, 'example route');
    const body = await (await fetch(`http://127.0.0.1:${up.ports.http}/example/hello`)).json();
    expect(body.message).toMatch(/Hello/);
    expect(body.url).toBe('/example/hello');
  });

  it('prints the admin key, which opens the admin API, and keeps it in the data dir', async () => {
    const key = /admin key\s+(\S+)/.exec(up.output())![1];
    expect(fs.readFileSync(path.join(up.dataDir, 'admin-key'), 'utf8').trim()).toBe(key);
    const routes = await fetch(`http://127.0.0.1:${up.ports.admin}/api/v1/routes`, { headers: { 'x-api-key': key } });
    expect(routes.status).toBe(200);
    expect((await routes.json()).items.map((r: { id: string }) => r.id)).toContain('example');
    expect((await fetch(`http://127.0.0.1:${up.ports.admin}/api/v1/routes`)).status).toBe(401);
  });

  it('is ready on the status port', async () => {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${up.ports.status}/readyz`)).status === 200, 15_000, 'readyz');
    const metrics = await (await fetch(`http://127.0.0.1:${up.ports.status}/metrics`)).text();
    expect(metrics).toMatch(/sluice_config_revision \d+/);
  });
});
