import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessRegistry } from './process-registry.js';
import { parseWrk, runWrk } from './wrk-run.js';

const SAMPLE = `Running 2s test @ http://127.0.0.1:8080/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms  512.00us   9.87ms   80.00%
    Req/Sec    49.51k     2.10k   52.00k    75.00%
  Latency Distribution
     50%  808.00us
     75%    1.20ms
     90%    1.60ms
     99%    1.02s
  98765 requests in 2.00s, 20.00MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:  49382.50
Transfer/sec:     10.00MB
`;

describe('parseWrk', () => {
  it('reads totals, rate, latency percentiles in any unit, and errors', () => {
    expect(parseWrk(SAMPLE)).toEqual({ requests: 98765, seconds: 2, requestsPerSecond: 49382.5, p50: 0.808, p99: 1020, errors: 18 });
  });

  it('rejects output that is not a wrk report', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/unexpected wrk output/);
  });
});

describe('runWrk', () => {
  const registry = new ProcessRegistry();
  const server = http.createServer((req, res) => res.end(req.url === '/fail' ? ((res.statusCode = 500), 'no') : 'ok'));
  afterAll(async () => {
    await registry.stopAll();
    await new Promise((r) => server.close(r));
  });

  it('measures a real server and counts non-2xx answers as errors', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ok = await runWrk(registry, `${base}/`, 2, 1, 1);
    expect(ok.requests).toBeGreaterThan(100);
    expect(ok.errors).toBe(0);
    expect(ok.p99).toBeGreaterThanOrEqual(ok.p50);
    const failing = await runWrk(registry, `${base}/fail`, 2, 1, 1);
    expect(failing.errors).toBe(failing.requests);
  });
});
