import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../helpers/ports.js';
import { startWsEcho } from '../helpers/upstreams.js';
import { FRONTS, startProxy, type TestProxy } from './proxy-harness.js';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));
}

/** The status a refused handshake answered with. */
function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
    });
    ws.once('open', () => reject(new Error('handshake unexpectedly succeeded')));
    ws.once('error', () => {});
  });
}

describe.each(FRONTS)('WebSocket proxying (%s front)', (front) => {
  let echo: Awaited<ReturnType<typeof startWsEcho>>;
  let proxy: TestProxy;
  const handshakes: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    echo = await startWsEcho();
    echo.server.on('connection', (_ws, req) => handshakes.push(req.headers));
    const node = { nodes: [{ host: '127.0.0.1', port: echo.port }] };
    proxy = await startProxy(
      [
        { id: 'ws', route: { match: { paths: [{ type: 'prefix', value: '/ws' }] } }, upstream: node },
        { id: 'ws-short', route: { match: { paths: [{ type: 'prefix', value: '/short' }] }, timeout: { read: 2 } }, upstream: node },
        { id: 'no-ws', route: { match: { paths: [{ type: 'prefix', value: '/plain' }] }, websocket: false }, upstream: node },
        {
          id: 'ws-dead',
          route: { match: { paths: [{ type: 'prefix', value: '/dead' }] } },
          upstream: { nodes: [{ host: '127.0.0.1', port: await freePort() }] },
        },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  it('echoes text and binary messages and passes ping/pong through', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/ws/chat?room=1`);
    ws.send('hello');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('hello'), isBinary: false });
    const binary = Buffer.from([0, 1, 2, 250, 251, 252]);
    ws.send(binary);
    expect(await nextMessage(ws)).toEqual({ data: binary, isBinary: true });
    const big = Buffer.alloc(1024 * 1024, 7);
    ws.send(big);
    expect((await nextMessage(ws)).data.equals(big)).toBe(true);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping('are-you-there');
    expect((await pong).toString()).toBe('are-you-there');
    ws.close();
    await closed(ws);
  });

  it('passes the handshake with Upgrade and Connection to the upstream, plus forwarding headers', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/ws/headers`);
    const seen = handshakes.at(-1)!;
    expect(seen.upgrade).toBe('websocket');
    expect(seen.connection).toBe('Upgrade');
    expect(seen['sec-websocket-key']).toBeTruthy();
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.host).toBe(`127.0.0.1:${proxy.port}`);
    ws.close();
    await closed(ws);
  });

  it('keeps a quiet WebSocket open with default timeouts', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/ws/quiet`);
    // The silence IS the test: three seconds without a byte either way.
    await new Promise((r) => setTimeout(r, 3000));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.send('still here');
    expect((await nextMessage(ws)).data.toString()).toBe('still here');
    ws.close();
    await closed(ws);
  });

  it('closes a WebSocket idle past an explicit route read timeout (2 s)', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/short`);
    const started = Date.now();
    await closed(ws);
    const idle = Date.now() - started;
    expect(idle).toBeGreaterThanOrEqual(1900);
    expect(idle).toBeLessThan(6000);
    expect(proxy.proxy.stats().tunnels).toBe(0);
  });

  it('refuses upgrades on a route with websocket off (404) and answers 502 when the node is down', async () => {
    expect(await refusal(`ws://127.0.0.1:${proxy.port}/plain`)).toBe(404);
    expect(await refusal(`ws://127.0.0.1:${proxy.port}/dead`)).toBe(502);
  });
});
