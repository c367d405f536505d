import { describe, expect, it } from 'vitest';
import type { Route, Upstream } from '@sluice/model';
import { resolveTimeouts } from './resolve-timeouts.js';

const route = (timeout?: Route['timeout']): Route => ({ id: 'r', timeout });
const upstream = (timeout?: Upstream['timeout']): Upstream => ({ id: 'u', nodes: [], timeout });

describe('resolveTimeouts', () => {
  it('defaults to 5 / 60 / 60 s and an hour of WebSocket idle time', () => {
    expect(resolveTimeouts(route(), undefined)).toEqual({ connectMs: 5000, sendMs: 60_000, readMs: 60_000, upgradeIdleMs: 3_600_000 });
  });

  it('takes the route first, then the upstream, field by field', () => {
    const t = resolveTimeouts(route({ connect: 1 }), upstream({ connect: 2, send: 3 }));
    expect(t).toMatchObject({ connectMs: 1000, sendMs: 3000, readMs: 60_000 });
  });

  it('uses an explicit read timeout as the idle timeout of upgraded connections', () => {
    expect(resolveTimeouts(route({ read: 2 }), undefined).upgradeIdleMs).toBe(2000);
    expect(resolveTimeouts(route(), upstream({ read: 7 })).upgradeIdleMs).toBe(7000);
  });
});
