// SIGTERM on a data plane: in-flight requests finish, new connections are refused, the process exits.
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

let etcd: TestEtcd;
let slow: http.Server;
let slowPort: number;

beforeAll(async () => {
  etcd = await startEtcd();
  slow = http.createServer((req, res) => {
    const ms = Number(new URL(req.url!, 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => res.end(`slept ${ms}`), ms);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  slowPort = (slow.address() as { port: number }).port;
});

afterAll(async () => {
  slow?.closeAllConnections();
  await new Promise((r) => slow?.close(r));
  await etcd?.stop();
});

describe('graceful drain', () => {
  let dp: GatewayProcess;
  afterAll(async () => dp?.kill());

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const prefix = etcd.prefix('drain');
    const client = new Etcd3({ hosts: etcd.endpoint });
    await client.put(`${prefix}/upstreams/slow`).value(JSON.stringify({ id: 'slow', nodes: [{ host: '127.0.0.1', port: slowPort }] }));
    await client
      .put(`${prefix}/routes/slow`)
      .value(JSON.stringify({ id: 'slow', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'slow' }] }));
    client.close();
    dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2, 'drain-seconds': 10 });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/?ms=0`)).status === 200, 15_000, 'route');

    const inflight = fetch(`http://127.0.0.1:${dp.ports.http}/?ms=1500`).then(async (r) => ({ status: r.status, text: await r.text() }));
    await new Promise((r) => setTimeout(r, 300)); // let the request reach the upstream
    const exited = dp.stop(15_000);
    const result = await inflight;
    expect(result).toEqual({ status: 200, text: 'slept 1500' });
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${dp.ports.http}/?ms=0`)).rejects.toThrow();
  });
});
