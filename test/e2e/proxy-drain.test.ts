import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../helpers/ports.js';
import { startWsEcho } from '../helpers/upstreams.js';
import { FRONTS, request, startProxy, type TestProxy } from './proxy-harness.js';

describe.each(FRONTS)('HTTP proxy: drain (%s front)', (front) => {
  let held: http.ServerResponse[] = [];
  let slow: http.Server;
  let echo: Awaited<ReturnType<typeof startWsEcho>>;
  let proxy: TestProxy;

  beforeAll(async () => {
    // Holds every response until the test releases it.
    slow = http.createServer((_req, res) => void held.push(res));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    echo = await startWsEcho();
    proxy = await startProxy(
      [
        {
          id: 'slow',
          route: { match: { paths: [{ type: 'prefix', value: '/slow' }] } },
          upstream: { nodes: [{ host: '127.0.0.1', port: (slow.address() as net.AddressInfo).port }] },
        },
        { id: 'ws', route: { match: { paths: [{ type: 'prefix', value: '/ws' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await echo.close();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });

  it('lets an in-flight request finish, closes idle connections, and ends a WebSocket after the grace period', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const inFlight = request(`${proxy.url}/slow`, { agent });
    await waitFor(() => held.length === 1, 5000, 'the request to reach the upstream');
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/ws`);
    await new Promise((r) => ws.once('open', r));
    let wsClosedAt = 0;
    ws.on('close', () => (wsClosedAt = Date.now()));

    const drainStarted = Date.now();
    proxy.server.close(); // the caller stops accepting
    const drained = proxy.proxy.drain(1500);
    // Still in flight: the slow upstream answers now, and the client gets the full response.
    held[0].end('late but whole');
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('late but whole');
    expect(r.headers.connection).toBe('close');
    // The WebSocket is still usable during the grace period.
    ws.send('during drain');
    const echoed = await new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    expect(echoed).toBe('during drain');

    await drained;
    const drainTook = Date.now() - drainStarted;
    await waitFor(() => wsClosedAt > 0, 5000, 'the WebSocket to close');
    expect(drainTook).toBeGreaterThanOrEqual(1400);
    expect(drainTook).toBeLessThan(4000);
    expect(wsClosedAt - drainStarted).toBeGreaterThanOrEqual(1400);
    expect(proxy.proxy.stats()).toMatchObject({ inFlight: 0, tunnels: 0 });
    agent.destroy();
    held = [];
  });
});
