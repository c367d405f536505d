// Request body limits hold for bodies without a Content-Length: chunked HTTP/1.1 bodies and
// HTTP/2 DATA frames are counted as they stream. Past the limit the client gets 413, the
// upstream request is aborted and no byte past the limit is forwarded (client-control
// `maxBodySize`, the Ingress annotation proxy-body-size, and a global default in a global rule).
import http2 from 'node:http2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { nodeOf, responses, settle, startEdge, type Edge } from './edge-fixture.js';

let edge: Edge;
const LIMIT = 1024;
const GLOBAL_LIMIT = 4096;

beforeAll(async () => {
  edge = await startEdge(['open'], (up) => [
    ['upstreams', 'open', nodeOf(up.open)],
    [
      'routes',
      'limited',
      { match: { paths: [{ type: 'prefix', value: '/limited' }] }, backends: [{ upstreamId: 'open' }], plugins: { 'client-control': { maxBodySize: LIMIT } } },
    ],
    ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
  ]);
});
afterAll(async () => {
  await edge?.stop();
});
beforeEach(() => edge.resetUpstreams());

/** A chunked upload of `total` bytes in chunks of `size`, written with pauses so it really streams. */
async function chunkedUpload(path: string, total: number, size = 256): Promise<{ status: number | undefined; closed: boolean }> {
  const c = edge.raw();
  c.write(`POST ${path} HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n`);
  for (let sent = 0; sent < total && !c.closed; sent += size) {
    const n = Math.min(size, total - sent);
    c.write(`${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`);
    await settle(5);
    if (responses(c.text).length > 0) break;
  }
  if (!c.closed) c.write('0\r\n\r\n');
  await c.until((x) => x.closed || responses(x.text).length > 0, 5000);
  await settle(100);
  c.close();
  return { status: responses(c.text, true)[0]?.status, closed: c.closed };
}

describe('chunked HTTP/1.1 bodies', () => {
  it('past maxBodySize: 413, the upstream request is cut and never carries more than the limit', async () => {
    const { status } = await chunkedUpload('/limited/upload', 8 * LIMIT);
    expect(status).toBe(413);
    for (const r of edge.up.open.requests) {
      expect(r.complete).toBe(false);
      expect(r.bodyBytes).toBeLessThanOrEqual(LIMIT);
    }
  });

  it('a body within the limit goes through whole', async () => {
    const { status } = await chunkedUpload('/limited/upload', LIMIT);
    expect(status).toBe(200);
    expect(edge.up.open.requests.map((r) => r.body.length)).toEqual([LIMIT]);
  });

  it('a Content-Length above the limit is refused before any byte goes upstream', async () => {
    const c = edge.raw();
    c.write(`POST /limited/upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`);
    await c.until((x) => x.closed || responses(x.text).length > 0);
    c.close();
    expect(responses(c.text, true)[0].status).toBe(413);
    await settle();
    expect(edge.up.open.requests).toEqual([]);
  });
});

describe('HTTP/2 bodies', () => {
  it('an h2c stream past maxBodySize gets 413 and the upstream never gets more than the limit', async () => {
    const session = http2.connect(`http://127.0.0.1:${edge.httpPort}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/limited/h2', ':authority': 'edge.test' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
        let sent = 0;
        const pump = () => {
          if (sent >= 8 * LIMIT || req.destroyed) return req.end();
          sent += 256;
          req.write(Buffer.alloc(256, 0x61));
          setTimeout(pump, 5);
        };
        pump();
      });
      expect(status).toBe(413);
      await settle();
      for (const r of edge.up.open.requests) {
        expect(r.complete).toBe(false);
        expect(r.bodyBytes).toBeLessThanOrEqual(LIMIT);
      }
    } finally {
      session.destroy();
    }
  });
});

describe('a global default', () => {
  it('client-control in a global rule limits every route without its own limit', async () => {
    await edge.put(['global-rules', 'limits', { plugins: { 'client-control': { maxBodySize: GLOBAL_LIMIT } } }]);
    try {
      const over = await chunkedUpload('/open/upload', 4 * GLOBAL_LIMIT, 1024);
      expect(over.status).toBe(413);
      for (const r of edge.up.open.requests) expect(r.bodyBytes).toBeLessThanOrEqual(GLOBAL_LIMIT);
      edge.resetUpstreams();
      // The route's own, smaller limit still wins there.
      expect((await chunkedUpload('/limited/upload', 2 * LIMIT)).status).toBe(413);
      edge.resetUpstreams();
      expect((await chunkedUpload('/open/upload', GLOBAL_LIMIT, 1024)).status).toBe(200);
    } finally {
      await edge.del('global-rules', 'limits');
    }
    await waitFor(async () => (await chunkedUpload('/open/upload', 2 * GLOBAL_LIMIT, 1024)).status === 200, 5000, 'global limit removed');
  });
});
