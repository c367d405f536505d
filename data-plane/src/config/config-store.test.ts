import { describe, expect, it } from 'vitest';
import { createConfigStore, type ConfigLogger } from './config-store.js';

const route = (id: string, extra: object = {}) => JSON.stringify({ id, match: { paths: [{ type: 'prefix', value: `/${id}` }] }, ...extra });

function recordingLogger() {
  const warnings: object[] = [];
  const logger: ConfigLogger = { info: () => {}, warn: (o) => warnings.push(o), error: () => {} };
  return { logger, warnings };
}

describe('createConfigStore', () => {
  it('keeps valid documents per collection with their revisions', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/routes/a', route('a'), 5, 3);
    store.applyPut('/gw/upstreams/u', JSON.stringify({ id: 'u', nodes: [{ host: '127.0.0.1', port: 80, weight: 1 }] }), 6, 6);
    store.applyPut('/gw/consumers/alice', JSON.stringify({ id: 'alice', username: 'alice' }), 7, 7);
    const { snapshot, rejected } = store.snapshot(7);
    expect(snapshot.revision).toBe(7);
    expect(snapshot.routes.get('a')).toMatchObject({ modRevision: 5, createRevision: 3, doc: { id: 'a' } });
    expect(snapshot.upstreams.has('u')).toBe(true);
    expect(snapshot.consumers.get('alice')?.doc.username).toBe('alice');
    expect(rejected.size).toBe(0);
  });

  it('rejects a bad document alone, keeps its last good version in force, and logs it once', () => {
    const { logger, warnings } = recordingLogger();
    const store = createConfigStore('/gw', logger);
    store.applyPut('/gw/routes/a', route('a'), 2, 2);
    store.applyPut('/gw/routes/b', route('b'), 3, 3);
    store.applyPut('/gw/routes/a', '{not json', 4, 2);
    store.applyPut('/gw/routes/c', route('c', { timeout: { read: 'slow' } }), 5, 5);
    store.applyPut('/gw/routes/d', route('other'), 6, 6);
    store.applyPut('/gw/routes/e', route('e', { match: { paths: [{ type: 'regex', value: '(' }] } }), 7, 7);
    const { snapshot, rejected } = store.snapshot(7);
    // a's version of revision 2 stays in force; the others never had a good version.
    expect([...snapshot.routes.keys()].sort()).toEqual(['a', 'b']);
    expect(snapshot.routes.get('a')?.modRevision).toBe(2);
    expect([...rejected.keys()].sort()).toEqual(['routes/a', 'routes/c', 'routes/d', 'routes/e']);
    expect(rejected.get('routes/a')).toMatch(/invalid JSON/);
    expect(rejected.get('routes/a')).toMatch(/previous version \(revision 2\) stays in force/);
    expect(rejected.get('routes/c')).toMatch(/\/timeout\/read/);
    expect(rejected.get('routes/c')).not.toMatch(/previous version/);
    expect(rejected.get('routes/d')).toMatch(/does not match the key/);
    expect(rejected.get('routes/e')).toMatch(/regular expression/);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatchObject({ key: '/gw/routes/a', revision: 4 });
    expect(store.rejectedTotal).toBe(4);

    store.applyPut('/gw/routes/a', route('a'), 8, 2);
    store.applyDelete('/gw/routes/c');
    const next = store.snapshot(8);
    expect([...next.snapshot.routes.keys()].sort()).toEqual(['a', 'b']);
    expect(next.snapshot.routes.get('a')?.modRevision).toBe(8);
    expect([...next.rejected.keys()].sort()).toEqual(['routes/d', 'routes/e']);
  });

  it('checks a consumer key against its username', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/consumers/bob', JSON.stringify({ id: 'alice', username: 'alice' }), 2, 2);
    expect(store.snapshot(2).rejected.get('consumers/bob')).toMatch(/username "alice"/);
  });

  it('ignores dataplanes, unknown collections and keys outside the layout', () => {
    const store = createConfigStore('/gw');
    expect(store.applyPut('/gw/dataplanes/dp1', '{}', 2, 2)).toBe(false);
    expect(store.applyPut('/gw/widgets/w', '{}', 3, 3)).toBe(false);
    expect(store.applyPut('/gw/routes/a/b', '{}', 4, 4)).toBe(false);
    expect(store.applyPut('/other/routes/a', route('a'), 5, 5)).toBe(false);
    const { snapshot, rejected } = store.snapshot(5);
    expect(snapshot.routes.size).toBe(0);
    expect(rejected.size).toBe(0);
  });

  it('hands out immutable snapshots: later changes never show in an earlier one', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/routes/a', route('a'), 2, 2);
    const first = store.snapshot(2).snapshot;
    store.applyPut('/gw/routes/b', route('b'), 3, 3);
    store.applyDelete('/gw/routes/a');
    const second = store.snapshot(3).snapshot;
    expect([...first.routes.keys()]).toEqual(['a']);
    expect([...second.routes.keys()]).toEqual(['b']);
    expect(second.upstreams).toBe(first.upstreams); // unchanged collections are shared
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('replaceAll drops what the listing no longer has and does not re-log known rejections', () => {
    const { logger, warnings } = recordingLogger();
    const store = createConfigStore('/gw', logger);
    store.applyPut('/gw/routes/a', route('a'), 2, 2);
    store.applyPut('/gw/routes/bad', 'nope', 3, 3);
    store.snapshot(3);
    store.replaceAll([
      { key: '/gw/routes/b', value: route('b'), modRevision: 4, createRevision: 4 },
      { key: '/gw/routes/bad', value: 'nope', modRevision: 3, createRevision: 3 },
    ]);
    const { snapshot, rejected } = store.snapshot(4);
    expect([...snapshot.routes.keys()]).toEqual(['b']);
    expect([...rejected.keys()]).toEqual(['routes/bad']);
    expect(warnings).toHaveLength(1);
  });

  it('replaceAll keeps the version in force when the listing holds a bad value for it', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/routes/a', route('a'), 2, 2);
    store.snapshot(2);
    store.replaceAll([{ key: '/gw/routes/a', value: route('a', { timeout: 'soon' }), modRevision: 5, createRevision: 2 }]);
    const { snapshot, rejected } = store.snapshot(5);
    expect(snapshot.routes.get('a')?.modRevision).toBe(2);
    expect(rejected.get('routes/a')).toMatch(/stays in force/);
  });
});

describe('routes naming a service', () => {
  const service = (id: string, extra: object) => JSON.stringify({ id, ...extra });
  const up = (port: number) => ({ nodes: [{ host: '127.0.0.1', port, weight: 1 }] });

  it("take the service's hosts, upstream, plugins (under their own) and websocket, and follow the service when it changes", () => {
    const store = createConfigStore('/gw');
    store.applyPut(
      '/gw/services/s',
      service('s', { hosts: ['svc.example'], upstream: up(1), plugins: { cors: {}, 'request-id': {} }, websocket: false }),
      2,
      2,
    );
    store.applyPut('/gw/routes/a', route('a', { serviceId: 's', plugins: { cors: { allowOrigins: 'https://a.example' } } }), 3, 3);
    store.applyPut(
      '/gw/routes/b',
      route('b', { serviceId: 's', match: { hosts: ['own.example'], paths: [{ type: 'prefix', value: '/b' }] }, upstream: up(2), websocket: true }),
      4,
      4,
    );
    store.applyPut('/gw/routes/plain', route('plain'), 5, 5);
    const first = store.snapshot(5).snapshot;
    expect(first.routes.get('a')!.doc).toMatchObject({
      match: { hosts: ['svc.example'] },
      upstream: up(1),
      websocket: false,
      plugins: { cors: { allowOrigins: 'https://a.example' }, 'request-id': {} },
    });
    expect(first.routes.get('b')!.doc).toMatchObject({ match: { hosts: ['own.example'] }, upstream: up(2), websocket: true });
    expect(first.routes.get('plain')!.doc).toEqual(JSON.parse(route('plain')));
    expect(first.routes.get('a')!.modRevision).toBe(3);

    // The service changes: its routes follow, with a newer revision (cached upstream runtimes are rebuilt).
    store.applyPut('/gw/services/s', service('s', { hosts: ['svc2.example'], upstream: up(9) }), 6, 2);
    const second = store.snapshot(6).snapshot;
    expect(second.routes.get('a')!.doc.match!.hosts).toEqual(['svc2.example']);
    expect(second.routes.get('a')!.doc.upstream).toEqual(up(9));
    expect(second.routes.get('a')!.doc.plugins).toEqual({ cors: { allowOrigins: 'https://a.example' } });
    expect(second.routes.get('a')!.modRevision).toBe(6);
    expect(second.services.get('s')!.doc.hosts).toEqual(['svc2.example']);
  });

  it('leave a service plugin their plugin config also has to the plugin config', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/services/s', service('s', { upstream: up(1), plugins: { cors: {}, 'request-id': {} } }), 2, 2);
    store.applyPut('/gw/plugin-configs/pc', JSON.stringify({ id: 'pc', plugins: { cors: { maxAge: 5 } } }), 3, 3);
    store.applyPut('/gw/routes/a', route('a', { serviceId: 's', pluginConfigId: 'pc' }), 4, 4);
    expect(store.snapshot(4).snapshot.routes.get('a')!.doc.plugins).toEqual({ 'request-id': {} });
    store.applyPut('/gw/plugin-configs/pc', JSON.stringify({ id: 'pc', plugins: { 'request-id': {} } }), 5, 3);
    expect(store.snapshot(5).snapshot.routes.get('a')!.doc.plugins).toEqual({ cors: {} });
  });

  it('are rejected while their service is missing, and come back with it', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/routes/a', route('a', { serviceId: 'nope' }), 2, 2);
    store.applyPut('/gw/routes/b', route('b'), 3, 3);
    const first = store.snapshot(3);
    expect([...first.snapshot.routes.keys()]).toEqual(['b']);
    expect(first.rejected.get('routes/a')).toBe('service nope does not exist');

    store.applyPut('/gw/services/nope', service('nope', { upstream: up(1) }), 4, 4);
    const second = store.snapshot(4);
    expect([...second.snapshot.routes.keys()].sort()).toEqual(['a', 'b']);
    expect(second.rejected.size).toBe(0);

    store.applyDelete('/gw/services/nope');
    expect(store.snapshot(5).rejected.get('routes/a')).toBe('service nope does not exist');
    store.applyDelete('/gw/routes/a');
    const last = store.snapshot(6);
    expect(last.rejected.size).toBe(0);
    expect([...last.snapshot.routes.keys()]).toEqual(['b']);
  });

  it('hand the stored routes on untouched while no route names a service', () => {
    const store = createConfigStore('/gw');
    store.applyPut('/gw/routes/a', route('a'), 2, 2);
    const first = store.snapshot(2).snapshot;
    store.applyPut('/gw/upstreams/u', JSON.stringify({ id: 'u', ...up(1) }), 3, 3);
    expect(store.snapshot(3).snapshot.routes).toBe(first.routes);
  });

  it('are resolved after a full listing too', () => {
    const store = createConfigStore('/gw');
    store.replaceAll([
      { key: '/gw/routes/a', value: route('a', { serviceId: 's' }), modRevision: 2, createRevision: 2 },
      { key: '/gw/services/s', value: service('s', { hosts: ['svc.example'], upstream: up(1) }), modRevision: 3, createRevision: 3 },
    ]);
    expect(store.snapshot(3).snapshot.routes.get('a')!.doc.match!.hosts).toEqual(['svc.example']);
  });
});
