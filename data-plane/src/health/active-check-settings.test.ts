import { describe, expect, it } from 'vitest';
import { resolveActiveCheck } from './active-check-settings.js';

describe('resolveActiveCheck', () => {
  it('applies the documented defaults', () => {
    const s = resolveActiveCheck({});
    expect(s).toMatchObject({ type: 'http', httpPath: '/', timeoutMs: 1000, verifyCertificate: true, headers: {} });
    expect(s.healthy).toMatchObject({ intervalMs: 1000, successes: 2 });
    expect([...s.healthy.statuses]).toEqual([200, 302]);
    expect(s.unhealthy).toMatchObject({ intervalMs: 1000, httpFailures: 3, tcpFailures: 2, timeouts: 3 });
    expect(s.unhealthy.statuses.has(500)).toBe(true);
  });

  it('converts seconds and parses header lines, skipping malformed ones', () => {
    const s = resolveActiveCheck({ timeout: 0.25, healthy: { interval: 0.2 }, reqHeaders: ['X-A: 1', 'User-Agent:probe', 'junk', ': empty'] });
    expect(s.timeoutMs).toBe(250);
    expect(s.healthy.intervalMs).toBe(200);
    expect(s.headers).toEqual({ 'x-a': '1', 'user-agent': 'probe' });
  });
});
