import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { FRONTS, json, request, startProxy, type TestProxy } from './proxy-harness.js';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(FRONTS)('HTTP proxy: forwarding (%s front)', (front) => {
  let echo: EchoServer;
  let bulk: http.Server;
  let bulkPort: number;
  let upstreamConnections = 0;
  let proxy: TestProxy;
  const big = Buffer.alloc(20 * MB);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);

  beforeAll(async () => {
    echo = await startHttpEcho('echo');
    // An upstream for bodies, framing and special statuses.
    bulk = http.createServer((req, res) => {
      const url = req.url!.split('?')[0];
      if (url === '/download') {
        // Streamed in 64 KiB pieces with back-pressure; length known (content-length framing).
        res.writeHead(200, { 'content-length': big.length });
        let off = 0;
        const pump = () => {
          while (off < big.length) {
            const piece = big.subarray(off, off + 64 * 1024);
            off += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else if (url === '/upload') {
        const hash = createHash('sha256');
        let n = 0;
        req.on('data', (c: Buffer) => {
          hash.update(c);
          n += c.length;
        });
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ bytes: n, sha: hash.digest('hex'), te: req.headers['transfer-encoding'] ?? null, cl: req.headers['content-length'] ?? null }),
          );
        });
      } else if (url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' }); // no length: chunked to the proxy
        res.write('alpha-');
        setImmediate(() => res.end('omega'));
      } else if (url === '/close-delimited') {
        // HTTP/1.0-style body ended by closing the connection.
        req.socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil-the-end');
      } else if (url === '/204') {
        res.writeHead(204, { 'x-kind': 'no-content' });
        res.end();
      } else if (url === '/304') {
        res.writeHead(304, { etag: '"v1"' });
        res.end();
      } else if (url === '/head') {
        res.writeHead(200, { 'content-length': '1234', 'x-head': 'yes' });
        res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(1234));
      } else if (url === '/hop') {
        res.setHeader('Connection', 'X-Private, keep-alive');
        res.setHeader('X-Private', 'secret');
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('X-Public', 'ok');
        res.end('hop');
      } else if (url === '/continue') {
        res.writeContinue();
        req.resume();
        req.on('end', () => res.end('after-continue'));
      } else {
        res.end('?');
      }
    });
    bulk.on('connection', () => upstreamConnections++);
    await new Promise<void>((r) => bulk.listen(0, '127.0.0.1', r));
    bulkPort = (bulk.address() as net.AddressInfo).port;
    proxy = await startProxy(
      [
        { id: 'echo', route: { match: { paths: [{ type: 'prefix', value: '/echo' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } },
        {
          id: 'node-host',
          route: { match: { paths: [{ type: 'prefix', value: '/nodehost' }] } },
          upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }], passHost: 'node' },
        },
        {
          id: 'rewrite-host',
          route: { match: { paths: [{ type: 'prefix', value: '/rewrite' }] } },
          upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }], passHost: 'rewrite', upstreamHost: 'internal.example' },
        },
        { id: 'bulk', route: { match: { paths: [{ type: 'prefix', value: '/' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: bulkPort }] } },
        { id: 'empty', route: { match: { hosts: ['empty.test'] } }, upstream: { nodes: [] } },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await echo.close();
    bulk.closeAllConnections();
    await new Promise<void>((r) => bulk.close(() => r()));
  });

  it('forwards method, URL, body and headers, removing hop-by-hop ones and setting X-Forwarded-*', async () => {
    const r = await request(`${proxy.url}/echo/a?x=1&y=2`, {
      method: 'POST',
      headers: {
        host: 'shop.example:8080',
        'content-type': 'text/plain',
        connection: 'keep-alive, X-Drop-Me',
        'x-drop-me': 'gone',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic abc',
        te: 'trailers',
        'x-forwarded-for': '203.0.113.7',
        'x-real-ip': '6.6.6.6',
        'x-custom': 'kept',
      },
      body: 'hello upstream',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('echo');
    const seen = json(r.body);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/echo/a?x=1&y=2');
    expect(seen.body).toBe('hello upstream');
    const h = seen.headers;
    expect(h['x-custom']).toBe('kept');
    expect(h['x-drop-me']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h.host).toBe('shop.example:8080');
    expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('shop.example:8080');
    expect(h['x-forwarded-port']).toBe(String(proxy.port));
    expect(proxy.done.at(-1)).toEqual({ routeId: 'echo', status: 200 });
  });

  it('sets Host per passHost: pass, node, rewrite', async () => {
    const pass = json((await request(`${proxy.url}/echo`, { headers: { host: 'client.example' } })).body);
    expect(pass.headers.host).toBe('client.example');
    const node = json((await request(`${proxy.url}/nodehost`, { headers: { host: 'client.example' } })).body);
    expect(node.headers.host).toBe(`127.0.0.1:${echo.port}`);
    const rewrite = json((await request(`${proxy.url}/rewrite`, { headers: { host: 'client.example' } })).body);
    expect(rewrite.headers.host).toBe('internal.example');
  });

  it('removes hop-by-hop response headers, including those named in Connection', async () => {
    const r = await request(`${proxy.url}/hop`);
    expect(r.body.toString()).toBe('hop');
    expect(r.headers['x-public']).toBe('ok');
    expect(r.headers['x-private']).toBeUndefined();
    expect(r.headers['keep-alive']).not.toBe('timeout=5');
  });

  it('streams a 20 MB download with back-pressure to a slow reader, intact', async () => {
    const body = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(`${proxy.url}/download`, { agent: false }, (res) => {
          const chunks: Buffer[] = [];
          let paused = 0;
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            // Read slowly at first, so the proxy has to stop reading from the upstream.
            if (paused++ < 20) {
              res.pause();
              setImmediate(() => res.resume());
            }
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(body.length).toBe(big.length);
    expect(sha(body)).toBe(sha(big));
  });

  it('streams a 20 MB upload with content-length, and one with chunked encoding', async () => {
    const fixed = json((await request(`${proxy.url}/upload`, { method: 'POST', body: big })).body);
    expect(fixed).toEqual({ bytes: big.length, sha: sha(big), te: null, cl: String(big.length) });

    const chunked = await new Promise<any>((resolve, reject) => {
      const req = http.request(`${proxy.url}/upload`, { method: 'PUT', agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(json(Buffer.concat(parts))));
      });
      req.on('error', reject);
      // No content-length: node:http sends chunked. Write in 1 MB pieces honouring back-pressure.
      let off = 0;
      const pump = () => {
        while (off < big.length) {
          const piece = big.subarray(off, off + MB);
          off += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(chunked).toEqual({ bytes: big.length, sha: sha(big), te: 'chunked', cl: null });
  });

  it('passes chunked and close-delimited responses', async () => {
    const chunked = await request(`${proxy.url}/chunked`);
    expect(chunked.body.toString()).toBe('alpha-omega');
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    const closing = await request(`${proxy.url}/close-delimited`);
    expect(closing.status).toBe(200);
    expect(closing.body.toString()).toBe('until-the-end');
  });

  it('handles HEAD, 204 and 304 without bodies, then keeps working on the same connections', async () => {
    const head = await request(`${proxy.url}/head`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1234');
    expect(head.headers['x-head']).toBe('yes');
    expect(head.body.length).toBe(0);
    const noContent = await request(`${proxy.url}/204`);
    expect(noContent.status).toBe(204);
    expect(noContent.headers['x-kind']).toBe('no-content');
    const notModified = await request(`${proxy.url}/304`);
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe('"v1"');
    const get = await request(`${proxy.url}/head`);
    expect(get.body.length).toBe(1234);
  });

  it('swallows an upstream 100 Continue and passes the final response', async () => {
    const r = await request(`${proxy.url}/continue`, { method: 'POST', headers: { expect: '100-continue' }, body: 'payload' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('after-continue');
  });

  it('reuses upstream keep-alive connections', async () => {
    const before = upstreamConnections;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => request(`${proxy.url}/chunked?i=${i}`, { agent })));
    agent.destroy();
    expect(results.every((r) => r.body.toString() === 'alpha-omega')).toBe(true);
    // Four concurrent clients at most: a handful of upstream sockets serve 200 requests.
    expect(upstreamConnections - before).toBeLessThanOrEqual(8);
    expect(proxy.proxy.stats().idleUpstreamSockets).toBeGreaterThan(0);
  });

  it('answers 404 with the catalog body when nothing matches, 503 when the route has no nodes', async () => {
    const other = await startProxy(
      [{ id: 'only', route: { match: { paths: [{ type: 'exact', value: '/only' }] } }, upstream: { nodes: [{ host: '127.0.0.1', port: echo.port }] } }],
      front,
    );
    try {
      const r = await request(`${other.url}/nothing-here`);
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toBe('application/json');
      expect(json(r.body)).toEqual({ code: 'GW_ERR_ROUTE_NOT_FOUND', message: 'no route matches this request' });
      expect(other.done.at(-1)).toEqual({ routeId: undefined, status: 404 });
    } finally {
      await other.close();
    }
    const empty = await request(`${proxy.url}/x`, { headers: { host: 'empty.test' } });
    expect(empty.status).toBe(503);
    expect(json(empty.body).code).toBe('GW_ERR_UPSTREAM_UNAVAILABLE');
  });
});
