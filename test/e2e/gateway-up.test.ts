// `npm start` runs `gateway up`: local etcd, admin API, data plane and the example route.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

let up: GatewayProcess;
let statusPort: number;

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

beforeAll(async () => {
  // The control plane's status port is the data plane's + 1: find a free pair.
  do statusPort = await freePort();
  while (!(await canBind(statusPort + 1)));
  up = await startGateway('up', { workers: 2, 'status-port': statusPort });
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

  it("serves the control plane's status port next to the data plane's, and prints both", async () => {
    expect(up.ports.status).toBe(statusPort);
    expect(up.ports.controlPlaneStatus).toBe(statusPort + 1);
    expect(up.output()).toContain(`control plane status http://127.0.0.1:${statusPort + 1}/readyz  /metrics`);
    expect((await fetch(`http://127.0.0.1:${statusPort + 1}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${statusPort + 1}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_build_info\{version="[^"]+",node_version="v[\d.]+",component="control-plane"\} 1$/m);
  });
});
