import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONTS, request, startProxy, type TestProxy } from './proxy-harness.js';

/**
 * Content-Length response bodies of 4 KiB and more are taken from the upstream socket's reads
 * uncopied, outside the parser (upstream-connection.ts `takeBody`). These check the framing that
 * path owns, against a hand-written upstream: bodies split across reads, bytes past the body, a
 * body cut short, and the connection reused only when the response ended in step.
 */
const BODY = Buffer.alloc(10_000, 'abcdefghij');

describe.each(FRONTS)('HTTP proxy: Content-Length response bodies (%s front)', (front) => {
  let upstream: net.Server;
  let connections = 0;
  let proxy: TestProxy;

  beforeAll(async () => {
    upstream = net.createServer((s) => {
      connections++;
      s.on('error', () => {});
      let pending = '';
      s.on('data', (d) => {
        pending += d.toString('latin1');
        let end = pending.indexOf('\r\n\r\n');
        while (end >= 0) {
          const path = pending.slice(0, end).split(' ')[1];
          pending = pending.slice(end + 4);
          answer(s, path);
          end = pending.indexOf('\r\n\r\n');
        }
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as net.AddressInfo).port;
    proxy = await startProxy([{ id: 'u', upstream: { nodes: [{ host: '127.0.0.1', port }] } }], front);
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  function answer(s: net.Socket, path: string): void {
    const head = (length: number) => `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`;
    if (path === '/split') {
      // The head with the first bytes, then the rest in two later writes (separate reads).
      s.write(Buffer.concat([Buffer.from(head(BODY.length), 'latin1'), BODY.subarray(0, 100)]));
      setTimeout(() => s.write(BODY.subarray(100, 6000)), 30);
      setTimeout(() => s.write(BODY.subarray(6000)), 60);
    } else if (path === '/extra') {
      // The body and then bytes nobody asked for: the connection is out of step.
      s.write(Buffer.concat([Buffer.from(head(BODY.length), 'latin1'), BODY, Buffer.from('HTTP/1.1 200 OK\r\nX-Smuggled: 1\r\n\r\n', 'latin1')]));
    } else if (path === '/truncated') {
      s.write(Buffer.concat([Buffer.from(head(BODY.length), 'latin1'), BODY.subarray(0, 3000)]));
      setTimeout(() => s.end(), 30);
    } else s.write(`${head(2)}ok`);
  }

  /** A GET whose body is read whatever happens; `complete` says whether it ended in step. */
  function get(path: string): Promise<{ status: number; body: Buffer; complete: boolean }> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${proxy.url}${path}`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: res.complete }));
        res.on('error', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: false }));
        res.on('aborted', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: false }));
      });
      req.on('error', reject);
    });
  }

  it('carries a body that arrives over several reads whole, and reuses the connection', async () => {
    const before = connections;
    const first = await get('/split');
    expect(first.status).toBe(200);
    expect(first.complete).toBe(true);
    expect(first.body.equals(BODY)).toBe(true);
    const second = await get('/split');
    expect(second.body.equals(BODY)).toBe(true);
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('gives the client exactly the body when the upstream sends more, and never reuses that connection', async () => {
    const extra = await get('/extra');
    expect(extra.status).toBe(200);
    expect(extra.body.equals(BODY)).toBe(true);
    const before = connections;
    const next = await get('/small');
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('ok');
    // A fresh upstream connection: the bytes past the body never became a response.
    expect(connections - before).toBe(1);
    const again = await request(`${proxy.url}/small`);
    expect(again.rawHeaders.map((h) => h.toLowerCase())).not.toContain('x-smuggled');
  });

  it('ends the client response short when the upstream closes before the body is whole', async () => {
    const cut = await get('/truncated');
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.body.length).toBeLessThan(BODY.length);
    expect(cut.body.equals(BODY.subarray(0, cut.body.length))).toBe(true);
    const next = await get('/small');
    expect(next.body.toString()).toBe('ok');
  });
});
