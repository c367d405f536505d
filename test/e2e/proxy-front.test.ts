import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { startHttpEcho, startWsEcho, type EchoServer } from '../helpers/upstreams.js';
import { json, request, startProxy, type TestProxy } from './proxy-harness.js';
import { RawClient } from '../helpers/raw-client.js';

/** `n` complete 200 responses from the echo upstream (which answers chunked JSON). */
const done = (n: number) => (c: RawClient) => c.count('200') === n && c.text.endsWith('}\r\n0\r\n\r\n');
/** The echo's JSON from the (single, chunked) response in `text`. */
const body = (text: string) => {
  const chunked = text.slice(text.indexOf('\r\n\r\n') + 4);
  return JSON.parse(chunked.slice(chunked.indexOf('\r\n') + 2, chunked.lastIndexOf('}') + 1));
};
const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: front.test\r\n${extra}\r\n`;

describe('raw HTTP/1.1 front', () => {
  let echo: EchoServer;
  let ws: Awaited<ReturnType<typeof startWsEcho>>;
  let proxy: TestProxy;
  let quick: TestProxy;

  beforeAll(async () => {
    echo = await startHttpEcho('echo', (req, res) => {
      const url = req.url!;
      if (url.startsWith('/echo/delay')) {
        // An upstream that takes a while: the pipelined request behind it must still come second.
        setTimeout(() => res.end('slow-first'), 150);
        return true;
      }
      if (url.startsWith('/echo/chunked')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part-one,');
        setImmediate(() => res.end('part-two'));
        return true;
      }
      return false;
    });
    ws = await startWsEcho();
    const routes = [
      { id: 'echo', route: { match: { paths: [{ type: 'prefix' as const, value: '/echo' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } },
      { id: 'ws', route: { match: { paths: [{ type: 'prefix' as const, value: '/ws' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: ws.port }] } },
    ];
    proxy = await startProxy(routes, 'raw');
    quick = await startProxy(routes, 'raw', { headersTimeoutMs: 400, keepAliveTimeoutMs: 300 });
  });

  afterAll(async () => {
    await proxy.close();
    await quick.close();
    await echo.close();
    await ws.close();
  });

  it.each([
    ['a bad request line', 'GET /echo HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
    ['an invalid header character', 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n'],
    ['Content-Length with Transfer-Encoding', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['two different Content-Length values', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['an obs-folded header', 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n b\r\n\r\n'],
    ['HTTP/1.1 without Host', 'GET /echo HTTP/1.1\r\nUser-Agent: t\r\n\r\n'],
  ])('answers %s with 400 and closes, without reaching the upstream', async (_what, raw) => {
    const before = echo.count;
    const c = new RawClient(proxy.port).write(raw);
    await c.untilClosed();
    expect(c.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(c.text).toContain('Connection: close');
    expect(echo.count).toBe(before);
  });

  it('answers a bad chunk size in a request body with 400 and closes', async () => {
    const c = new RawClient(proxy.port).write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    await c.untilClosed();
    expect(c.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('answers oversized headers with 431 and closes', async () => {
    const c = new RawClient(proxy.port).write(GET('/echo', `X-Big: ${'a'.repeat(20_000)}\r\n`));
    await c.untilClosed();
    expect(c.text).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('reads a header block that arrives in many small pieces', async () => {
    const c = new RawClient(proxy.port);
    const head = GET('/echo/pieces', Array.from({ length: 40 }, (_, i) => `X-H${i}: v${i}\r\n`).join(''));
    for (let i = 0; i < head.length; i += 7) c.write(head.slice(i, i + 7));
    await c.until(done(1));
    const seen = body(c.text);
    expect(seen.url).toBe('/echo/pieces');
    expect(seen.headers['x-h0']).toBe('v0');
    expect(seen.headers['x-h39']).toBe('v39');
    expect(c.closed).toBe(false);
    c.close();
  });

  it('serves an HTTP/1.0 client: close by default, keep-alive when asked, close-delimited without a length', async () => {
    const plain = new RawClient(proxy.port).write('GET /echo/ten HTTP/1.0\r\n\r\n');
    await plain.untilClosed();
    expect(plain.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(plain.text).toContain('Connection: close');
    // The echo upstream answers chunked: an HTTP/1.0 client gets the bytes delimited by the close.
    expect(plain.text).not.toContain('Transfer-Encoding');
    expect(plain.text.endsWith('"body":""}')).toBe(true);

    // The delay path answers with a Content-Length, so the connection can be kept.
    const kept = new RawClient(proxy.port).write('GET /echo/delay HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await kept.until((c) => c.text.endsWith('slow-first'));
    expect(kept.text).toContain('Content-Length: 10');
    expect(kept.text).toContain('Connection: keep-alive');
    kept.write('GET /echo/delay HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await kept.until((c) => c.count('200') === 2 && c.text.endsWith('slow-first'));
    expect(kept.closed).toBe(false);
    kept.close();

    const delimited = new RawClient(proxy.port).write('GET /echo/chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await delimited.untilClosed();
    expect(delimited.text).not.toContain('Transfer-Encoding');
    expect(delimited.text).toContain('Connection: close');
    expect(delimited.text.endsWith('\r\n\r\npart-one,part-two')).toBe(true);
  });

  it('re-chunks a length-less response for an HTTP/1.1 client', async () => {
    const r = await request(`${proxy.url}/echo/chunked`);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.toString()).toBe('part-one,part-two');
    expect(r.headers.date).toMatch(/GMT$/);
  });

  it('answers pipelined requests in order, on one connection', async () => {
    const c = new RawClient(proxy.port);
    // Three requests in one write: a slow one, a POST with a body, a fast one.
    c.write(GET('/echo/delay') + 'POST /echo/post HTTP/1.1\r\nHost: front.test\r\nContent-Length: 5\r\n\r\nhello' + GET('/echo/last'));
    await c.until(done(3), 5000, 'three responses');
    const text = c.text;
    const slow = text.indexOf('slow-first');
    const post = text.indexOf('"url":"/echo/post"');
    const last = text.indexOf('"url":"/echo/last"');
    expect(slow).toBeGreaterThan(0);
    expect(post).toBeGreaterThan(slow);
    expect(last).toBeGreaterThan(post);
    expect(text).toContain('"body":"hello"');
    expect(c.closed).toBe(false);
    c.close();
  });

  it('answers a pipelined request with Connection: close, then closes and ignores what follows', async () => {
    const before = echo.count;
    const c = new RawClient(proxy.port).write(GET('/echo/one', 'Connection: close\r\n') + GET('/echo/ignored'));
    await c.untilClosed();
    expect(c.count('200')).toBe(1);
    expect(c.text).toContain('Connection: close');
    expect(echo.count).toBe(before + 1);
  });

  it('sends 100 Continue for Expect: 100-continue, then takes the body', async () => {
    const c = new RawClient(proxy.port).write('POST /echo/expect HTTP/1.1\r\nHost: front.test\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\n');
    await c.until((x) => x.text.includes('HTTP/1.1 100 Continue\r\n\r\n'), 5000, '100 Continue');
    expect(c.count('200')).toBe(0);
    c.write('payload');
    await c.until(done(1));
    expect(c.text).toContain('"body":"payload"');
    expect(c.text.indexOf('100 Continue')).toBeLessThan(c.text.indexOf('200 OK'));
    c.close();
  });

  it('forwards a chunked request body and a Content-Length one', async () => {
    const c = new RawClient(proxy.port).write('POST /echo/upload-chunked HTTP/1.1\r\nHost: front.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    c.write('6\r\n world\r\n0\r\n\r\n');
    await c.until(done(1));
    const seen = body(c.text);
    expect(seen.body).toBe('hello world');
    expect(seen.headers['transfer-encoding']).toBe('chunked');
    c.close();
    const fixed = json((await request(`${proxy.url}/echo/fixed`, { method: 'PUT', body: 'x'.repeat(100_000) })).body);
    expect(fixed.body.length).toBe(100_000);
    expect(fixed.headers['content-length']).toBe('100000');
  });

  it('answers HEAD without a body and keeps the connection usable', async () => {
    const c = new RawClient(proxy.port).write(`HEAD /echo/h HTTP/1.1\r\nHost: front.test\r\n\r\n${GET('/echo/after-head')}`);
    await c.until(done(2));
    const [headResponse] = c.text.split('HTTP/1.1 200 OK').filter(Boolean);
    // The HEAD response is a bare head; the next response starts right after it.
    expect(headResponse.endsWith('\r\n\r\n')).toBe(true);
    expect(c.text).toContain('"url":"/echo/after-head"');
    c.close();
  });

  it('closes a keep-alive connection idle past the keep-alive timeout', async () => {
    const c = new RawClient(quick.port).write(GET('/echo/idle'));
    await c.until(done(1));
    const answeredAt = Date.now();
    await c.untilClosed(3000);
    const idle = c.closedAt - answeredAt;
    expect(idle).toBeGreaterThanOrEqual(250);
    expect(idle).toBeLessThan(1500);
  });

  it('closes a slowloris client that never finishes its head, despite steady bytes', async () => {
    const c = new RawClient(quick.port).write('GET /echo/slow HTTP/1.1\r\nHost: front.test\r\n');
    const startedAt = Date.now();
    // One header byte every 50 ms: traffic that an idle timer alone would never stop.
    const drip = setInterval(() => c.write('X-Drip: a\r\n'), 50);
    try {
      await c.untilClosed(3000);
    } finally {
      clearInterval(drip);
    }
    expect(c.closedAt - startedAt).toBeGreaterThanOrEqual(350);
    expect(c.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps a connection whose request is in flight past both timeouts', async () => {
    // The upstream takes 150 ms; the second request waits in the pipeline meanwhile.
    const c = new RawClient(quick.port).write(GET('/echo/delay') + GET('/echo/delay'));
    await c.until((x) => x.count('200') === 2 && x.text.endsWith('slow-first'), 3000, 'both responses');
    expect(c.closed).toBe(false);
    c.close();
  });

  it('hands an upgrade to the WebSocket path, with the bytes that followed the head', async () => {
    const payload = Buffer.from('same-packet');
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
    const handshake =
      'GET /ws/raw HTTP/1.1\r\nHost: front.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const c = new RawClient(proxy.port).write(Buffer.concat([Buffer.from(handshake, 'latin1'), frame]));
    await c.until((x) => x.received.includes(payload), 5000, 'the echoed frame');
    expect(c.text).toMatch(/^HTTP\/1\.1 101 /);
    const echoed = c.received.subarray(c.received.indexOf('\r\n\r\n') + 4);
    expect(echoed.equals(Buffer.concat([Buffer.from([0x81, payload.length]), payload]))).toBe(true);
    c.close();
  });

  it('reports a client that leaves mid-request as 499 and stays healthy', async () => {
    const before = echo.count;
    const c = new RawClient(proxy.port).write(GET('/echo/delay'));
    await waitFor(() => echo.count > before, 5000, 'the request to reach the upstream');
    c.close();
    await waitFor(() => proxy.done.some((d) => d.status === 499), 5000, 'the exchange to end as 499');
    const r = await request(`${proxy.url}/echo/afterwards`);
    expect(r.status).toBe(200);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => request(`${proxy.url}/echo/many?i=${i}`, { agent })));
    agent.destroy();
    expect(many.every((m) => m.status === 200 && json(m.body).url === `/echo/many?i=${many.indexOf(m)}`)).toBe(true);
  });
});
