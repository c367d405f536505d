import type { StreamRoute } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { Versioned } from '../config/types.js';
import { compileStreamMatcher, streamPortKey } from './stream-matcher.js';

let revision = 0;
function routes(docs: Record<string, Omit<StreamRoute, 'id'>>): Map<string, Versioned<StreamRoute>> {
  return new Map(Object.entries(docs).map(([id, doc]) => [id, { doc: { id, ...doc }, modRevision: ++revision, createRevision: revision }]));
}
const noBackends = () => [];

describe('compileStreamMatcher', () => {
  it('routes a tls port by SNI with a default, and keeps tcp and udp on the same number apart', () => {
    const rejected = new Map<string, string>();
    const table = compileStreamMatcher(
      routes({
        a: { protocol: 'tls', listenPort: 9000, sni: 'a.test' },
        wild: { protocol: 'tls', listenPort: 9000, sni: '*.b.test' },
        fallback: { protocol: 'tls', listenPort: 9000 },
        dns: { protocol: 'udp', listenPort: 9000 },
      }),
      noBackends,
      rejected,
    );
    expect(rejected.size).toBe(0);
    const tls = table.ports.get(streamPortKey('tcp', 9000))!;
    expect(tls.routeFor('A.test')?.id).toBe('a');
    expect(tls.routeFor('x.b.test')?.id).toBe('wild');
    expect(tls.routeFor('other')?.id).toBe('fallback');
    expect(tls.routeFor(undefined)?.id).toBe('fallback');
    expect(table.ports.get(streamPortKey('udp', 9000))?.routeFor(undefined)?.id).toBe('dns');
  });

  it('rejects, alone and younger first, routes that cannot share a port or are malformed', () => {
    const rejected = new Map<string, string>();
    const table = compileStreamMatcher(
      routes({
        first: { protocol: 'tcp', listenPort: 7000 },
        second: { protocol: 'tcp', listenPort: 7000 },
        tlsOnTcp: { protocol: 'tls', listenPort: 7000, sni: 'x.test' },
        sniOnTcp: { protocol: 'tcp', listenPort: 7001, sni: 'x.test' },
        badAddrs: { protocol: 'tcp', listenPort: 7002, remoteAddrs: ['not-an-ip'] },
        t1: { protocol: 'tls', listenPort: 7003, sni: 'same.test' },
        t2: { protocol: 'tls', listenPort: 7003, sni: 'same.test' },
        off: { protocol: 'tcp', listenPort: 7004, status: 'disabled' },
      }),
      noBackends,
      rejected,
    );
    expect([...rejected.keys()].sort()).toEqual([
      'stream-routes/badAddrs',
      'stream-routes/second',
      'stream-routes/sniOnTcp',
      'stream-routes/t2',
      'stream-routes/tlsOnTcp',
    ]);
    expect(rejected.get('stream-routes/second')).toMatch(/already used by stream route stream-routes\/first/);
    expect(table.ports.get('tcp:7000')?.routeFor(undefined)?.id).toBe('first');
    expect(table.ports.has('tcp:7004')).toBe(false);
  });

  it('turns the route timeout into an idle limit in ms, an hour by default', () => {
    const table = compileStreamMatcher(
      routes({ t: { protocol: 'tcp', listenPort: 1, timeout: 2.5 }, u: { protocol: 'tcp', listenPort: 2 } }),
      noBackends,
      new Map(),
    );
    expect(table.ports.get('tcp:1')?.routes[0].idleMs).toBe(2500);
    expect(table.ports.get('tcp:2')?.routes[0].idleMs).toBe(3_600_000);
  });
});
