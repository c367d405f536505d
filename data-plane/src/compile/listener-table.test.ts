import type { Listener, Route, StreamRoute } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { Versioned } from '../config/types.js';
import { ListenerRouteScope } from '../listeners/listener-route-scope.js';
import type { RequestHead } from '../proxy/front/client-side.js';
import { MISDIRECTED } from '../proxy/pipeline/route-scope.js';
import { compileListenerTable, type ListenerTableInput } from './listener-table.js';
import type { SniCertificate } from './sni-index.js';
import { compileStreamMatcher } from './stream-matcher.js';
import type { CompiledRoute } from './types.js';

const gateway = { namespace: 'ns', name: 'gw' };
let revision = 0;
function versioned<T>(doc: T): Versioned<T> {
  revision++;
  return { doc, modRevision: revision, createRevision: revision };
}
function listeners(...docs: Array<Partial<Listener> & { id: string; port: number; protocol: Listener['protocol'] }>): Map<string, Versioned<Listener>> {
  return new Map(docs.map((d) => [d.id, versioned({ gateway, ...d } as Listener)]));
}
function route(id: string, attached: string[], extra: Partial<Route> = {}): CompiledRoute {
  return { id, route: { id, listeners: attached, ...extra } as Route, createRevision: ++revision } as unknown as CompiledRoute;
}
function cert(id: string): SniCertificate {
  return { id } as SniCertificate;
}
function compile(input: Partial<ListenerTableInput>) {
  const rejected = new Map<string, string>();
  const table = compileListenerTable(
    {
      listeners: new Map(),
      routes: [],
      streamRoutes: new Map(),
      certificates: new Map(),
      backendsFor: () => [],
      ...input,
    },
    rejected,
  );
  return { table, rejected, socket: (key: string) => table.sockets.get(key)! };
}
const head = (host: string | undefined, socket: object = {}): RequestHead => ({
  method: 'GET',
  url: '/',
  path: '/',
  query: '',
  host,
  headers: host ? { host } : {},
  rawHeaders: [],
  socket: socket as never,
  http2: false,
  http11: true,
  grpc: false,
  upgrade: undefined,
});

describe('compileListenerTable: sockets', () => {
  it('groups listeners sharing address and port into one socket and keeps other addresses apart', () => {
    const { table, socket, rejected } = compile({
      listeners: listeners(
        { id: 'a', address: '127.0.1.1', port: 80, protocol: 'HTTP', hostname: 'a.test' },
        { id: 'b', address: '127.0.1.1', port: 80, protocol: 'HTTP', hostname: '*.b.test' },
        { id: 'c', address: '127.0.1.1', port: 80, protocol: 'HTTP' },
        { id: 'd', address: '127.0.1.2', port: 80, protocol: 'HTTP' },
      ),
      portMap: new Map([[80, 18080]]),
    });
    expect(rejected).toEqual(new Map());
    expect([...table.sockets.keys()].sort()).toEqual(['http:127.0.1.1:18080', 'http:127.0.1.2:18080']);
    const shared = socket('http:127.0.1.1:18080');
    expect(shared).toMatchObject({ kind: 'http', address: '127.0.1.1', port: 18080, declaredPort: 80 });
    expect(shared.listeners.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(shared.byHost.lookup('a.test')?.id).toBe('a');
    expect(shared.byHost.lookup('x.y.b.test')?.id).toBe('b');
    expect(shared.byHost.lookup('other.test')?.id).toBe('c');
    expect(shared.byHost.lookup(undefined)?.id).toBe('c');
  });

  it('puts HTTPS and TLS listeners of one port on one tls socket and refuses HTTP there, and a repeated hostname', () => {
    const { table, rejected } = compile({
      listeners: listeners(
        { id: 'web', port: 443, protocol: 'HTTPS', hostname: 'web.test', tls: { mode: 'Terminate', sslIds: ['s1'] } },
        { id: 'pass', port: 443, protocol: 'TLS', hostname: 'pass.test', tls: { mode: 'Passthrough' } },
        { id: 'plain', port: 443, protocol: 'HTTP' },
        { id: 'again', port: 443, protocol: 'TLS', hostname: 'pass.test', tls: { mode: 'Passthrough' } },
        { id: 'udp', port: 443, protocol: 'UDP' },
      ),
      certificates: new Map([['s1', { cert: cert('s1'), snis: ['web.test'] }]]),
    });
    expect([...table.sockets.keys()].sort()).toEqual(['tls:*:443', 'udp:*:443']);
    expect(table.sockets.get('tls:*:443')!.listeners.map((l) => l.id)).toEqual(['web', 'pass']);
    expect(rejected.get('listeners/plain')).toMatch(/already used by TLS listener listeners\/web/);
    expect(rejected.get('listeners/again')).toMatch(/hostname pass.test .* already served/);
    expect(rejected.has('listeners/udp')).toBe(false);
  });

  it('refuses TLS settings that do not fit the protocol', () => {
    const { rejected, table } = compile({
      listeners: listeners(
        { id: 'h', port: 8443, protocol: 'HTTPS' },
        { id: 't', port: 8444, protocol: 'TLS' },
        { id: 'p', port: 8080, protocol: 'HTTP', tls: { mode: 'Terminate' } },
      ),
    });
    expect(table.sockets.size).toBe(0);
    expect([...rejected.keys()].sort()).toEqual(['listeners/h', 'listeners/p', 'listeners/t']);
  });

  it('gives a Terminate listener only its own certificates, the first one for unknown names', () => {
    const { socket, rejected } = compile({
      listeners: listeners(
        { id: 'x', port: 443, protocol: 'HTTPS', hostname: 'x.test', tls: { mode: 'Terminate', sslIds: ['sx', 'sy'] } },
        { id: 'm', port: 444, protocol: 'HTTPS', tls: { mode: 'Terminate', sslIds: ['missing'] } },
      ),
      certificates: new Map([
        ['sx', { cert: cert('sx'), snis: ['x.test'] }],
        ['sy', { cert: cert('sy'), snis: ['y.test'] }],
        ['sz', { cert: cert('sz'), snis: ['z.test'] }],
      ]),
    });
    const x = socket('tls:*:443').listeners[0];
    expect(x.certs?.lookup('x.test')?.id).toBe('sx');
    expect(x.certs?.lookup('y.test')?.id).toBe('sy');
    expect(x.certs?.lookup('z.test')?.id).toBe('sx');
    expect(rejected.get('listeners/m')).toMatch(/ssl missing does not exist/);
  });
});

describe('compileListenerTable: routes', () => {
  it('serves a route only on the listeners it names and rejects one whose listeners are all missing', () => {
    const onA = route('on-a', ['a'], { match: { paths: [{ type: 'prefix', value: '/a' }] } } as Partial<Route>);
    const onBoth = route('on-both', ['a', 'b'], { match: { paths: [{ type: 'prefix', value: '/both' }] } } as Partial<Route>);
    const orphan = route('orphan', ['gone']);
    const { socket, rejected } = compile({
      listeners: listeners({ id: 'a', port: 80, protocol: 'HTTP', hostname: 'a.test' }, { id: 'b', port: 80, protocol: 'HTTP' }),
      routes: [onA, onBoth, orphan],
    });
    const s = socket('http:*:80');
    const input = (path: string) => ({ host: undefined, path, method: 'GET', headers: {}, query: '' });
    const [a, b] = s.listeners;
    expect(a.http?.match(input('/a/x'))).toBe(onA);
    expect(a.http?.match(input('/both'))).toBe(onBoth);
    expect(b.http?.match(input('/a/x'))).toBeUndefined();
    expect(b.http?.match(input('/both'))).toBe(onBoth);
    expect(rejected.get('routes/orphan')).toMatch(/none of its listeners \(gone\)/);
  });

  it('attaches stream routes to TCP, UDP and TLS listeners, and keeps them off the plain stream ports', () => {
    const streamRoutes = new Map<string, Versioned<StreamRoute>>([
      ['t1', versioned<StreamRoute>({ id: 't1', protocol: 'tcp', listenPort: 9000, listener: 'tcp' })],
      ['t2', versioned<StreamRoute>({ id: 't2', protocol: 'tcp', listenPort: 9000, listener: 'tcp' })],
      ['u1', versioned<StreamRoute>({ id: 'u1', protocol: 'udp', listenPort: 9000, listener: 'udp' })],
      ['s1', versioned<StreamRoute>({ id: 's1', protocol: 'tls', listenPort: 443, listener: 'pass', sni: 'a.test' })],
      ['s2', versioned<StreamRoute>({ id: 's2', protocol: 'tls', listenPort: 443, listener: 'pass' })],
      ['wrong', versioned<StreamRoute>({ id: 'wrong', protocol: 'udp', listenPort: 9000, listener: 'tcp' })],
      ['lost', versioned<StreamRoute>({ id: 'lost', protocol: 'tcp', listenPort: 9001, listener: 'nope' })],
    ]);
    const { socket, rejected } = compile({
      listeners: listeners(
        { id: 'tcp', port: 9000, protocol: 'TCP' },
        { id: 'udp', port: 9000, protocol: 'UDP' },
        { id: 'pass', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } },
      ),
      streamRoutes,
    });
    expect(socket('tcp:*:9000').stream?.routeFor(undefined)?.id).toBe('t1');
    expect(socket('tcp:*:9000').stream?.transport).toBe('tcp');
    expect(socket('udp:*:9000').stream).toMatchObject({ transport: 'udp', port: 9000 });
    expect(socket('udp:*:9000').stream?.routeFor(undefined)?.id).toBe('u1');
    const pass = socket('tls:*:443').listeners[0];
    expect(pass.streams?.lookup('a.test')?.id).toBe('s1');
    expect(pass.streams?.lookup('b.test')?.id).toBe('s2');
    expect(rejected.get('stream-routes/t2')).toMatch(/already served by stream route stream-routes\/t1/);
    expect(rejected.get('stream-routes/wrong')).toMatch(/udp stream route cannot be served on TCP listener/);
    expect(rejected.get('stream-routes/lost')).toMatch(/listener nope does not exist/);
    expect(compileStreamMatcher(streamRoutes, () => [], new Map()).ports.size).toBe(0);
  });
});

describe('ListenerRouteScope', () => {
  const { socket } = compile({
    listeners: listeners(
      { id: 'any', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', sslIds: [] } },
      { id: 'second', port: 443, protocol: 'HTTPS', hostname: 'second.test', tls: { mode: 'Terminate', sslIds: [] } },
      { id: 'wild', port: 443, protocol: 'HTTPS', hostname: '*.wild.test', tls: { mode: 'Terminate', sslIds: [] } },
    ),
    routes: [route('r-any', ['any']), route('r-second', ['second']), route('r-wild', ['wild'])],
  });
  const plan = socket('tls:*:443');
  const scope = new ListenerRouteScope(plan);
  // The TLS front marks each connection with the listener its SNI chose (tls-identity.ts).
  const tls = (servername: string | false) => ({ encrypted: true, sluiceTlsIdentity: plan.byHost.lookup(servername || undefined)?.id });
  const matched = (host: string | undefined, sock: object) => {
    const m = scope.matcherFor(head(host, sock));
    return m === MISDIRECTED ? m : m?.match({ host, path: '/', method: 'GET', headers: {}, query: '' })?.id;
  };

  it('serves the listener the SNI chose when the Host selects the same one', () => {
    expect(matched('second.test', tls('second.test'))).toBe('r-second');
    expect(matched('b.wild.test:443', tls('a.wild.test'))).toBe('r-wild');
    expect(matched('unknown.test', tls('other.test'))).toBe('r-any');
    expect(matched('unknown.test', tls(false))).toBe('r-any');
  });

  it('answers misdirected when the Host selects another listener than the SNI', () => {
    expect(matched('second.test', tls('example.test'))).toBe(MISDIRECTED);
    expect(matched('example.test', tls('second.test'))).toBe(MISDIRECTED);
    expect(matched('a.wild.test', tls('second.test'))).toBe(MISDIRECTED);
  });

  it('routes plain connections by Host alone', () => {
    expect(matched('second.test', {})).toBe('r-second');
    expect(matched('x.wild.test', {})).toBe('r-wild');
    expect(matched(undefined, {})).toBe('r-any');
  });
});
