import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/ports.js';
import { HttpLogQueue, type HttpLogQueueOptions } from './http-log-queue.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

/** A real collector: records each POST's JSON array; `failNext` answers 500 that many times. */
let server: http.Server;
let uri: string;
let batches: { auth?: string; entries: any[] }[] = [];
let failNext = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      batches.push({ auth: req.headers.authorization, entries: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  batches = [];
  failNext = 0;
});

const queues: HttpLogQueue[] = [];
afterEach(() => Promise.all(queues.splice(0).map((q) => q.close())));
function queue(opts: Partial<HttpLogQueueOptions>): HttpLogQueue {
  const q = new HttpLogQueue({
    uri,
    timeoutMs: 2000,
    batchMaxSize: 1000,
    inactiveTimeoutMs: 60_000,
    bufferDurationMs: 60_000,
    maxRetryCount: 0,
    retryDelayMs: 0,
    maxQueue: 10_000,
    ...opts,
  });
  queues.push(q);
  return q;
}

describe('http-logger queue', () => {
  it('sends a full batch at once, in order, with the auth header', async () => {
    const q = queue({ batchMaxSize: 3, authHeader: 'Bearer t' });
    for (let i = 0; i < 6; i++) q.push({ n: i });
    // The collector records a batch before its answer reaches the queue: wait for both sides.
    await waitFor(() => batches.length === 2 && q.stats.sentBatches === 2, 5000, 'two batches sent and answered');
    expect(batches).toEqual([
      { auth: 'Bearer t', entries: [{ n: 0 }, { n: 1 }, { n: 2 }] },
      { auth: 'Bearer t', entries: [{ n: 3 }, { n: 4 }, { n: 5 }] },
    ]);
    expect(q.stats).toMatchObject({ sentBatches: 2, sentEntries: 6, droppedEntries: 0, queued: 0 });
  });

  it('sends a partial batch after inactiveTimeout', async () => {
    const q = queue({ inactiveTimeoutMs: 50 });
    q.push({ n: 1 });
    q.push({ n: 2 });
    await waitFor(() => batches.length === 1, 5000, 'the partial batch');
    expect(batches[0].entries).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('sends a partial batch when its oldest entry reaches bufferDuration, even under steady traffic', async () => {
    const q = queue({ bufferDurationMs: 100, inactiveTimeoutMs: 60_000 });
    const started = Date.now();
    let n = 0;
    await waitFor(
      () => {
        q.push({ n: n++ });
        return batches.length >= 1;
      },
      5000,
      'a batch by age',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(batches[0].entries[0]).toEqual({ n: 0 });
  });

  it('retries a failed POST, then drops the batch after maxRetryCount', async () => {
    failNext = 1;
    const q = queue({ batchMaxSize: 2, maxRetryCount: 1, retryDelayMs: 10 });
    q.push({ n: 1 });
    q.push({ n: 2 });
    await waitFor(() => batches.length === 1, 5000, 'the retried batch');
    expect(batches[0].entries).toEqual([{ n: 1 }, { n: 2 }]);

    failNext = 5;
    q.push({ n: 3 });
    q.push({ n: 4 });
    await waitFor(() => q.stats.failedBatches === 1, 5000, 'the batch given up');
    expect(batches).toHaveLength(1);
  });

  it('with the collector down: push never throws or waits, the queue stays bounded and drops are counted', async () => {
    const q = queue({ uri: 'http://127.0.0.1:1/down', batchMaxSize: 10, maxQueue: 100, timeoutMs: 500 });
    const started = performance.now();
    for (let i = 0; i < 5000; i++) q.push({ n: i });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(200);
    // One batch of 10 left for the collector; 100 more fit; the rest were dropped.
    expect(q.stats.queued).toBe(100);
    expect(q.stats.droppedEntries).toBe(5000 - 110);
    await waitFor(() => q.stats.failedBatches >= 1, 5000, 'the failed POST');
  });
});

describe('http-logger plugin', () => {
  it('delivers the chosen fields of each request', async () => {
    const chain = chainFor({ 'http-logger': { uri, batchMaxSize: 2, includeFields: ['routeId', 'method', 'path', 'status'] } });
    for (const p of ['/a', '/b']) {
      const ctx = makeContext({ path: p, method: 'PUT' });
      await exchange(chain, ctx);
      chain.runLog(ctx, 204, 3);
    }
    const ours = () => batches.filter((b) => b.entries[0]?.routeId === 'r1');
    await waitFor(() => ours().length === 1, 5000, 'the batch');
    expect(ours()[0].entries).toEqual([
      { routeId: 'r1', method: 'PUT', path: '/a', status: 204 },
      { routeId: 'r1', method: 'PUT', path: '/b', status: 204 },
    ]);
  });

  it('rejects a non-HTTP uri and a batch larger than the queue', () => {
    expect(() => chainFor({ 'http-logger': { uri: 'ftp://x/logs' } })).toThrow(/uri/);
    expect(() => chainFor({ 'http-logger': { uri, batchMaxSize: 10, maxQueue: 5 } })).toThrow(/batchMaxSize/);
  });
});
