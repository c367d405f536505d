import type { Upstream } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { upstreamSettings } from './upstream-settings.js';

const nodes = [
  { host: '10.0.0.1', port: 80 },
  { host: '10.0.0.2', port: 80 },
];

describe('upstreamSettings: retries', () => {
  it('defaults to nginx next-upstream: one retry per other node, connect errors and timeouts, no backoff, no request limit', () => {
    const s = upstreamSettings({ id: 'u', nodes } as Upstream);
    expect(s).toMatchObject({ retries: 1, countEveryAttempt: false, retryOnError: true, retryOnTimeout: true, retryBackoffMs: 0, requestTimeoutMs: Infinity });
    expect(s.retryStatuses).toBeUndefined();
  });

  it('derives Gateway API attempts: counted retries, listed statuses, backoff and request timeout in ms', () => {
    const s = upstreamSettings({
      id: 'u',
      nodes: nodes.slice(0, 1),
      retries: 3,
      retryOn: ['error', 'timeout', 500, 504],
      retryMode: 'attempts',
      retryBackoff: 0.025,
      timeout: { request: 0.4 },
    } as Upstream);
    expect(s).toMatchObject({ retries: 3, countEveryAttempt: true, retryBackoffMs: 25, requestTimeoutMs: 400 });
    expect([500, 502, 503, 504].map((c) => s.retryStatuses![c])).toEqual([1, 0, 0, 1]);
  });
});
