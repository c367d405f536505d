import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InlineUpstream } from '@sluice/model';
import { FRONTS, json, request, startProxy, type TestProxy } from './proxy-harness.js';

/**
 * A backend like the conformance echo server's `/retry` handler: the first `succeedAfter`
 * requests with a given uuid fail (status `responseCode`, else a TCP reset), each after
 * `delayRetry` ms; later ones answer 200. It records when each attempt arrived.
 */
async function startCountingBackend(): Promise<{ port: number; attempts: Map<string, number[]>; close(): Promise<void> }> {
  const attempts = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    const uuid = url.searchParams.get('uuid') ?? '';
    const seen = attempts.get(uuid) ?? [];
    seen.push(performance.now());
    attempts.set(uuid, seen);
    if (seen.length > Number(url.searchParams.get('succeedAfter') ?? 0)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ attempt: seen.length }));
    }
    const fail = () => {
      const code = url.searchParams.get('responseCode');
      if (code) {
        res.writeHead(Number(code));
        return res.end(`failed ${code}`);
      }
      req.socket.resetAndDestroy();
    };
    const delay = Number(url.searchParams.get('delayRetry') ?? 0);
    if (delay > 0) setTimeout(fail, delay);
    else fail();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    attempts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.each(FRONTS)('HTTP proxy: Gateway API retries on a one-node upstream (%s front)', (front) => {
  let backend: Awaited<ReturnType<typeof startCountingBackend>>;
  let proxy: TestProxy;

  beforeAll(async () => {
    backend = await startCountingBackend();
    const attempts = (extra: Partial<InlineUpstream>): InlineUpstream => ({
      nodes: [{ host: '127.0.0.1', port: backend.port }],
      retryMode: 'attempts',
      ...extra,
    });
    const prefix = (value: string) => ({ match: { paths: [{ type: 'prefix' as const, value }] } });
    proxy = await startProxy(
      [
        { id: 'code-500', route: prefix('/code-500'), upstream: attempts({ retries: 3, retryOn: ['error', 'timeout', 500] }) },
        { id: 'connection', route: prefix('/connection'), upstream: attempts({ retries: 3, retryOn: ['error', 'timeout'] }) },
        {
          id: 'backend-timeout',
          route: { ...prefix('/backend-timeout'), timeout: { read: 0.2 } },
          upstream: attempts({ retries: 2, retryOn: ['error', 'timeout'] }),
        },
        {
          id: 'request-timeout',
          route: { ...prefix('/request-timeout'), timeout: { read: 0.2, request: 0.4 } },
          // Enough retries that only the 400 ms deadline can stop them; the translator's default backoff.
          upstream: attempts({ retries: 10, retryOn: ['error', 'timeout', 500], retryBackoff: 0.025 }),
        },
        { id: 'backoff', route: prefix('/backoff'), upstream: attempts({ retries: 1, retryOn: [500], retryBackoff: 0.2 }) },
        // The nginx default: a retry needs a node not tried yet, so one node means one attempt.
        {
          id: 'next-upstream',
          route: prefix('/next-upstream'),
          upstream: { nodes: [{ host: '127.0.0.1', port: backend.port }], retries: 3, retryOn: ['error', 500] },
        },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await backend.close();
  });

  /** One request with a fresh uuid; how many attempts the backend saw for it, and when. */
  async function send(path: string, query: string, opts: { agent?: http.Agent } = {}) {
    const uuid = randomUUID();
    const started = performance.now();
    const r = await request(`${proxy.url}${path}?uuid=${uuid}&${query}`, opts);
    return { ...r, took: performance.now() - started, attempts: backend.attempts.get(uuid) ?? [] };
  }

  it('retries a listed status on the same node until it succeeds, then answers the last failure', async () => {
    const ok = await send('/code-500', 'responseCode=500&succeedAfter=2');
    expect(ok.status).toBe(200);
    expect(json(ok.body)).toEqual({ attempt: 3 });
    const failed = await send('/code-500', 'responseCode=500&succeedAfter=4');
    expect(failed.status).toBe(500);
    expect(failed.body.toString()).toBe('failed 500');
    expect(failed.attempts).toHaveLength(4);
  });

  it('does not retry a status that is not listed', async () => {
    const r = await send('/code-500', 'responseCode=503&succeedAfter=2');
    expect(r.status).toBe(503);
    expect(r.attempts).toHaveLength(1);
  });

  it('retries connection resets, counting every attempt (also on reused keep-alive sockets), and answers 503 when they run out', async () => {
    // Warm the proxy's keep-alive pool so failing attempts start on reused sockets too.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) expect((await send('/connection', 'succeedAfter=0', { agent })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const ok = await send('/connection', 'succeedAfter=2', { agent });
      expect(ok.status).toBe(200);
      expect(ok.attempts).toHaveLength(3);
      const failed = await send('/connection', 'succeedAfter=4', { agent });
      expect(failed.status).toBe(503);
      expect(failed.attempts).toHaveLength(4);
    }
    agent.destroy();
  });

  it('gives each attempt its own response timeout and retries when it expires', async () => {
    const ok = await send('/backend-timeout', 'delayRetry=300&responseCode=500&succeedAfter=2');
    expect(ok.status).toBe(200);
    expect(ok.attempts).toHaveLength(3);
    const failed = await send('/backend-timeout', 'delayRetry=300&responseCode=500&succeedAfter=3');
    expect(failed.status).toBe(504);
    expect(json(failed.body).code).toBe('GW_ERR_UPSTREAM_TIMEOUT');
    expect(failed.attempts).toHaveLength(3);
    expect(failed.took).toBeGreaterThanOrEqual(3 * 180);
  });

  it('bounds all attempts together by timeout.request: 504 once it is spent, retries still succeed within it', async () => {
    const ok = await send('/request-timeout', 'responseCode=500&succeedAfter=1');
    expect(ok.status).toBe(200);
    expect(ok.attempts).toHaveLength(2);
    // Without the deadline the 9th attempt would succeed after ~1 s.
    const late = await send('/request-timeout', 'delayRetry=100&responseCode=500&succeedAfter=8');
    expect(late.status).toBe(504);
    expect(json(late.body).code).toBe('GW_ERR_UPSTREAM_TIMEOUT');
    expect(late.attempts.length).toBeLessThan(8);
    expect(late.took).toBeGreaterThanOrEqual(390);
    expect(late.took).toBeLessThan(900);
  });

  it('waits the backoff between attempts', async () => {
    const r = await send('/backoff', 'responseCode=500&succeedAfter=1');
    expect(r.status).toBe(200);
    expect(r.attempts).toHaveLength(2);
    expect(r.attempts[1]! - r.attempts[0]!).toBeGreaterThanOrEqual(180);
  });

  it('keeps the next-upstream default: with one node, a listed status is not retried', async () => {
    const r = await send('/next-upstream', 'responseCode=500&succeedAfter=1');
    expect(r.status).toBe(500);
    expect(r.attempts).toHaveLength(1);
  });
});
