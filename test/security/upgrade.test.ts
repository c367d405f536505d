// Upgrades (WebSocket and any other protocol) run the same access phases as every request,
// and the connection becomes a tunnel only after the upstream answered `101 Switching
// Protocols`. An upstream that declines the upgrade must not turn the client connection into
// a raw pipe through which later requests skip the route's rules (upgrade smuggling).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeOf, responses, settle, startEdge, type Edge } from './edge-fixture.js';

let edge: Edge;

beforeAll(async () => {
  edge = await startEdge(['open', 'private'], (up) => [
    ['upstreams', 'open', nodeOf(up.open)],
    ['upstreams', 'private', nodeOf(up.private)],
    ['consumers', 'alice', { plugins: { 'key-auth': { key: 'alice-key' } } }],
    ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
    ['routes', 'private', { match: { paths: [{ type: 'prefix', value: '/private' }] }, backends: [{ upstreamId: 'private' }], plugins: { 'key-auth': {} } }],
    [
      'routes',
      'limited',
      {
        match: { paths: [{ type: 'prefix', value: '/limited' }] },
        backends: [{ upstreamId: 'open' }],
        plugins: { 'ip-restriction': { blacklist: ['127.0.0.1'] } },
      },
    ],
  ]);
});
afterAll(async () => {
  await edge?.stop();
});
beforeEach(() => {
  edge.resetUpstreams();
  edge.up.open.upgradeAnswer = '101';
  edge.up.private.upgradeAnswer = '101';
});

const upgradeHead = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: edge.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('upgrades run the access phases', () => {
  it('a WebSocket upgrade without a key to a key-auth route gets 401 and never reaches the upstream', async () => {
    const c = edge.raw();
    c.write(upgradeHead('/private/ws'));
    await c.until((x) => x.closed || responses(x.text).length > 0);
    c.close();
    expect(responses(c.text, true)[0].status).toBe(401);
    await settle();
    expect(edge.up.private.requests).toEqual([]);
  });

  it('an upgrade with another protocol token is checked the same way', async () => {
    const c = edge.raw();
    c.write(upgradeHead('/private/ws').replace('Upgrade: websocket', 'Upgrade: SPDY/3.1'));
    await c.until((x) => x.closed || responses(x.text).length > 0);
    c.close();
    expect(responses(c.text, true)[0].status).toBe(401);
    await settle();
    expect(edge.up.private.requests).toEqual([]);
  });

  it('an upgrade from a refused address gets 403 (ip-restriction)', async () => {
    const c = edge.raw();
    c.write(upgradeHead('/limited/ws'));
    await c.until((x) => x.closed || responses(x.text).length > 0);
    c.close();
    expect(responses(c.text, true)[0].status).toBe(403);
    await settle();
    expect(edge.up.open.requests).toEqual([]);
  });

  it('a WebSocket with the key is tunneled, and the upstream sees the consumer the gateway set', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${edge.httpPort}/private/ws`, { headers: { apikey: 'alice-key', 'x-consumer-username': 'admin' } });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('ping-1'));
      ws.on('message', (m) => resolve(m.toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(echoed).toBe('ping-1');
    expect(edge.up.private.requests.map((r) => [r.url, r.upgrade, r.headers['x-consumer-username']])).toEqual([['/private/ws', true, 'alice']]);
  });
});

describe('the tunnel starts only on 101', () => {
  it('an upstream that answers 200 to an upgrade: the answer is relayed and the next request on the connection is not piped through', async () => {
    edge.up.open.upgradeAnswer = '200';
    const c = edge.raw();
    // The upgrade goes to the open route; what follows would be a key-auth request without a key.
    c.write(upgradeHead('/open/ws'));
    await c.until((x) => x.closed || responses(x.text).length > 0);
    expect(responses(c.text)[0].status).toBe(200);
    c.write('GET /private/piped HTTP/1.1\r\nHost: edge.test\r\n\r\n');
    await c.until((x) => x.closed || responses(x.text).length > 1, 3000).catch(() => undefined);
    c.close();
    await settle();
    // Either the connection was closed or the request was parsed and refused: never piped raw.
    const later = responses(c.text, true).slice(1);
    expect(later.every((r) => r.status === 401)).toBe(true);
    expect(edge.up.open.urls()).toEqual(['/open/ws']);
    expect(edge.up.private.requests).toEqual([]);
  });

  it('bytes sent right behind the upgrade head wait for the 101 and are never parsed as requests by an upstream that declined', async () => {
    edge.up.open.upgradeAnswer = '200';
    const c = edge.raw();
    c.write(upgradeHead('/open/ws') + 'GET /private/behind HTTP/1.1\r\nHost: edge.test\r\n\r\n');
    await c.until((x) => x.closed || responses(x.text).length > 0);
    await settle();
    c.close();
    expect(edge.up.open.urls()).toEqual(['/open/ws']);
    expect(edge.up.private.requests).toEqual([]);
  });

  it('an upgrade request with a body is refused', async () => {
    const c = edge.raw();
    c.write(upgradeHead('/open/ws', 'Content-Length: 5\r\n') + 'hello');
    await c.until((x) => x.closed || responses(x.text).length > 0);
    c.close();
    expect(responses(c.text, true)[0].status).toBe(400);
    await settle();
    expect(edge.up.open.requests).toEqual([]);
  });
});
