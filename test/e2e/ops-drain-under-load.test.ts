// SIGTERM on a data plane under load: every request that was sent gets its whole response,
// new connections are refused once the listener is closed (counted apart, nothing sent on
// them), and a WebSocket still open is closed with 1001 (going away) after the grace period.
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startSlowUpstream, type SlowUpstream } from '../helpers/slow-upstream.js';
import { startWsEcho } from '../helpers/upstreams.js';

const GRACE_SECONDS = 3;

let etcd: TestEtcd;
let slow: SlowUpstream;
let wsEcho: Awaited<ReturnType<typeof startWsEcho>>;
let dp: GatewayProcess | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  slow = await startSlowUpstream(100);
  wsEcho = await startWsEcho();
});

afterAll(async () => {
  await dp?.kill();
  await slow?.close();
  await wsEcho?.close();
  await etcd?.stop();
});

interface DrainLoad {
  /** Requests answered whole, with the body the upstream sent. */
  complete: number;
  /** Requests sent that got no whole response (the number that must stay 0). */
  failed: string[];
  /** Connections refused after the listener closed: nothing was sent on them. */
  refused: number;
}

/**
 * `clients` keep-alive clients sending GETs back to back for at most `maxMs`. A client whose
 * new connection is refused stops there (the gateway is gone for it); any other error, or a
 * wrong body, is a failed in-flight request.
 */
async function drainLoad(port: number, clients: number, maxMs: number, out: DrainLoad): Promise<DrainLoad> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const deadline = Date.now() + maxMs;
  const one = (i: number, n: number) =>
    new Promise<'ok' | 'refused' | 'failed'>((resolve) => {
      const path = `/c${i}-${n}`;
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          if (res.statusCode === 200 && body === `echo ${path}`) resolve('ok');
          else {
            out.failed.push(`${path}: ${res.statusCode} ${body.slice(0, 60)}`);
            resolve('failed');
          }
        });
        res.on('error', (err) => {
          out.failed.push(`${path}: response ${err.message}`);
          resolve('failed');
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return resolve('refused');
        out.failed.push(`${path}: ${err.code ?? err.message}`);
        resolve('failed');
      });
    });
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const outcome = await one(i, n);
        if (outcome === 'ok') out.complete++;
        if (outcome === 'refused') {
          out.refused++;
          return;
        }
      }
    }),
  );
  agent.destroy();
  return out;
}

describe('SIGTERM under load', () => {
  it('loses no in-flight request and closes an open WebSocket with 1001 after the grace period', async () => {
    const prefix = etcd.prefix('drain-load');
    const client = new Etcd3({ hosts: etcd.endpoint });
    const put = (key: string, doc: object) => client.put(`${prefix}/${key}`).value(JSON.stringify(doc));
    await put('upstreams/slow', { id: 'slow', nodes: [{ host: '127.0.0.1', port: slow.port }] });
    await put('upstreams/ws', { id: 'ws', nodes: [{ host: '127.0.0.1', port: wsEcho.port }] });
    await put('routes/slow', { id: 'slow', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'slow' }] });
    await put('routes/ws', { id: 'ws', match: { paths: [{ type: 'prefix', value: '/ws' }] }, backends: [{ upstreamId: 'ws' }] });
    client.close();
    dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 2, 'drain-seconds': GRACE_SECONDS });
    const port = dp.ports.http!;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/warm`)).status === 200, 15_000, 'route');

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('hello');
    expect(await new Promise((r) => ws.once('message', (d: Buffer) => r(d.toString())))).toBe('hello');
    const wsClosed = new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));

    const live: DrainLoad = { complete: 0, failed: [], refused: 0 };
    const loading = drainLoad(port, 8, 3000, live);
    // SIGTERM mid-load: 8 clients at ~100 ms a request reach 40 answers after about half a second.
    await waitFor(() => live.complete >= 40, 10_000, 'load under way');
    const sigtermAt = Date.now();
    const exited = dp.stop(GRACE_SECONDS * 1000 + 10_000);
    const load = await loading;

    expect(load.failed).toEqual([]);
    expect(load.complete).toBeGreaterThan(40);
    expect(load.refused).toBeGreaterThan(0); // the clients did try after the listener closed
    const closed = await wsClosed;
    expect(closed.code).toBe(1001);
    expect(closed.at - sigtermAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 100);
    expect(await exited).toBe(0);
    console.log(
      `drain under load: ${load.complete} complete, ${load.failed.length} failed, ${load.refused} refused after the listener closed; WebSocket closed ${closed.code} after ${closed.at - sigtermAt} ms`,
    );
  });
});
