import { describe, expect, it } from 'vitest';
import { createUpstreamRuntime } from '../balancer/upstream-runtime.js';
import { createConfigStore } from '../config/config-store.js';
import { createPluginRegistry } from '../plugins/registry.js';
import { createTableCompiler } from './compile-table.js';
import { createFallbackCompiler } from './fallback-compiler.js';

const upstream = (id: string) => JSON.stringify({ id, nodes: [{ host: '127.0.0.1', port: 9 }] });
const route = (id: string, upstreamId: string) => JSON.stringify({ id, match: { paths: [{ type: 'prefix', value: `/${id}` }] }, backends: [{ upstreamId }] });
const streamRoute = (id: string, listenPort: number) => JSON.stringify({ id, protocol: 'tcp', listenPort, backends: [{ upstreamId: 'u' }] });

/** A store and a fallback compiler over the real table compiler. */
function setup() {
  const store = createConfigStore('/t');
  const compiler = createFallbackCompiler(createTableCompiler((id, u) => createUpstreamRuntime(id, u), createPluginRegistry()));
  let revision = 0;
  const put = (collection: string, id: string, value: string) => {
    revision++;
    store.applyPut(`/t/${collection}/${id}`, value, revision, revision);
    return revision;
  };
  const compile = () => compiler.compile(store.snapshot(revision).snapshot);
  const routeOf = (table: ReturnType<typeof compile>['table'], path: string) =>
    table.http.match({ method: 'GET', host: 'x', path, headers: {}, query: '' })?.route;
  return { compiler, put, compile, routeOf, close: () => compiler.close() };
}

describe('createFallbackCompiler', () => {
  it('keeps the version the last table served when a new version is rejected, and says so', () => {
    const t = setup();
    t.put('upstreams', 'u', upstream('u'));
    const good = t.put('routes', 'r', route('r', 'u'));
    expect(t.compile().rejected.size).toBe(0);

    t.put('routes', 'r', route('r', 'missing'));
    const { table, rejected } = t.compile();
    expect(t.routeOf(table, '/r')?.backends).toEqual([{ upstreamId: 'u' }]);
    expect(rejected.get('routes/r')).toBe(`upstream missing does not exist; the previous version (revision ${good}) stays in force`);

    // Later snapshots keep it, and a fixed version takes over.
    t.put('upstreams', 'other', upstream('other'));
    expect(t.routeOf(t.compile().table, '/r')?.backends).toEqual([{ upstreamId: 'u' }]);
    t.put('routes', 'r', route('r', 'other'));
    const fixed = t.compile();
    expect(t.routeOf(fixed.table, '/r')?.backends).toEqual([{ upstreamId: 'other' }]);
    expect(fixed.rejected.size).toBe(0);
    t.close();
  });

  it('leaves out a rejected document that never had a good version', () => {
    const t = setup();
    t.put('routes', 'new', route('new', 'missing'));
    const { table, rejected } = t.compile();
    expect(t.routeOf(table, '/new')).toBeUndefined();
    expect(rejected.get('routes/new')).toBe('upstream missing does not exist');
    t.close();
  });

  it('puts back the port a stream route had when its new port cannot be bound, until the route changes again', () => {
    const t = setup();
    t.put('upstreams', 'u', upstream('u'));
    const first = t.put('stream-routes', 's', streamRoute('s', 7001));
    expect([...t.compile().table.streams!.ports.keys()]).toEqual(['tcp:7001']);
    const moved = t.put('stream-routes', 's', streamRoute('s', 7002));
    expect([...t.compile().table.streams!.ports.keys()]).toEqual(['tcp:7002']);

    // The socket set could not bind 7002: the version on 7001 is served again.
    expect(t.compiler.markUnbindable('stream-routes/s', moved, 'cannot listen on tcp port 7002: EADDRINUSE')).toBe(true);
    expect(t.compiler.markUnbindable('stream-routes/s', moved, 'cannot listen on tcp port 7002: EADDRINUSE')).toBe(false);
    const back = t.compile();
    expect([...back.table.streams!.ports.keys()]).toEqual(['tcp:7001']);
    expect(back.rejected.get('stream-routes/s')).toBe(`cannot listen on tcp port 7002: EADDRINUSE; the previous version (revision ${first}) stays in force`);
    // An unrelated change does not retry the port: the document has not changed.
    t.put('upstreams', 'v', upstream('v'));
    expect([...t.compile().table.streams!.ports.keys()]).toEqual(['tcp:7001']);

    // A new version is a fresh attempt.
    t.put('stream-routes', 's', streamRoute('s', 7003));
    const next = t.compile();
    expect([...next.table.streams!.ports.keys()]).toEqual(['tcp:7003']);
    expect(next.rejected.size).toBe(0);
    t.close();
  });

  it('has nothing to put back for a new stream route: its socket set keeps trying', () => {
    const t = setup();
    t.put('upstreams', 'u', upstream('u'));
    const rev = t.put('stream-routes', 'fresh', streamRoute('fresh', 7010));
    t.compile();
    expect(t.compiler.markUnbindable('stream-routes/fresh', rev, 'EADDRINUSE')).toBe(false);
    expect([...t.compile().table.streams!.ports.keys()]).toEqual(['tcp:7010']);
    t.close();
  });
});
