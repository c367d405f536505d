// request-mirror: requests copied to a shadow upstream that records them, while the client's
// answer comes from the real upstream only; a shadow that refuses or never answers neither
// slows nor fails the real requests.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let etcd: TestEtcd;
let admin: GatewayProcess;
let dp: GatewayProcess;
let real: EchoServer;
let shadow: EchoServer;
/** Complete requests the shadow received (an abandoned mirror request never completes). */
const mirrored: Received[] = [];
/** Accepts connections, reads everything, never answers. */
let stall: net.Server;
const stallSockets = new Set<net.Socket>();
let stallBytes = 0;
/** Accepts connections and never reads from them: a mirror whose socket buffer fills up. */
let jam: net.Server;
const jamSockets = new Set<net.Socket>();

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${admin.ports.admin}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': 'test-key', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** One request through the gateway; `chunked` sends the body without a Content-Length. */
function send(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean } = {}) {
  const started = performance.now();
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request({ host: '127.0.0.1', port: dp.ports.http, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined && opts.chunked) {
      // Two writes, so the body really streams in chunks.
      const half = Math.floor(opts.body.length / 2);
      req.write(opts.body.slice(0, half));
      req.end(opts.body.slice(half));
    } else req.end(opts.body);
  });
}

async function mirrorMetric(outcome: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${dp.ports.status}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`sluice_mirror_requests_total{outcome="${outcome}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const receivedAt = (prefix: string) => mirrored.filter((r) => r.url.startsWith(prefix));

beforeAll(async () => {
  etcd = await startEtcd();
  real = await startHttpEcho('real');
  shadow = await startHttpEcho('shadow', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      mirrored.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      // An error status and a body of its own: neither may reach the client.
      res.writeHead(503, { 'x-upstream': 'shadow' });
      res.end('shadow answer');
    });
    return true;
  });
  stall = net.createServer((s) => {
    stallSockets.add(s);
    s.on('data', (d) => (stallBytes += d.length));
    s.on('error', () => {});
    s.on('close', () => stallSockets.delete(s));
  });
  await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
  jam = net.createServer((s) => {
    s.pause();
    jamSockets.add(s);
    s.on('error', () => {});
    s.on('close', () => jamSockets.delete(s));
  });
  await new Promise<void>((r) => jam.listen(0, '127.0.0.1', r));
  const refusingPort = await freePort();

  const prefix = etcd.prefix('mirror');
  [admin, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  const upstreams: Record<string, number> = {
    real: real.port,
    shadow: shadow.port,
    down: refusingPort,
    stall: (stall.address() as net.AddressInfo).port,
    jam: (jam.address() as net.AddressInfo).port,
  };
  for (const [id, port] of Object.entries(upstreams)) {
    expect((await api('PUT', `/upstreams/${id}`, { nodes: [{ host: '127.0.0.1', port }] })).status).toBe(201);
  }
  const routes: Record<string, object> = {
    all: { upstreamId: 'shadow' },
    copy: { upstreamId: 'shadow', path: '/copy' },
    small: { upstreamId: 'shadow', maxBodySize: 10 },
    none: { upstreamId: 'shadow', sampleRatio: 0 },
    half: { upstreamId: 'shadow', sampleRatio: 0.5 },
    down: { upstreamId: 'down' },
    stall: { upstreamId: 'stall', timeout: 1 },
    jam: { upstreamId: 'jam', maxBodySize: 64 * 1024 * 1024 },
  };
  for (const [name, config] of Object.entries(routes)) {
    const r = await api('PUT', `/routes/${name}`, {
      match: { paths: [{ type: 'prefix', value: `/${name}` }] },
      backends: [{ upstreamId: 'real' }],
      plugins: { 'request-mirror': config },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  await waitFor(async () => (await send('GET', '/stall')).status === 200, 15_000, 'routes loaded');
});

afterAll(async () => {
  await Promise.all([admin?.stop(), dp?.stop()]);
  for (const s of [...stallSockets, ...jamSockets]) s.destroy();
  await Promise.all([real?.close(), shadow?.close(), new Promise((r) => stall?.close(r)), new Promise((r) => jam?.close(r))]);
  await etcd?.stop();
});

describe('request-mirror', () => {
  it('mirrors a GET with the same method, URL and headers; the client gets the real answer', async () => {
    const res = await send('GET', '/all/items?page=2', { headers: { 'x-test': 'hello' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-upstream']).toBe('real');
    const seenByReal = JSON.parse(res.body);
    expect(seenByReal.server).toBe('real');
    await waitFor(() => receivedAt('/all/items').length === 1, 5000, 'GET mirrored');
    const copy = receivedAt('/all/items')[0];
    expect(copy).toMatchObject({ method: 'GET', url: '/all/items?page=2', body: '' });
    // The same head as the real upstream got (Host passed through by default).
    expect(copy.headers).toEqual(seenByReal.headers);
    expect(copy.headers['x-test']).toBe('hello');
  });

  it('mirrors POST bodies, with a length or chunked, small and large', async () => {
    const large = 'x'.repeat(200_000);
    for (const [i, body, chunked] of [
      [1, 'hello body', false],
      [2, 'hello chunked body', true],
      [3, large, false],
      [4, large, true],
    ] as const) {
      const res = await send('POST', `/all/post${i}`, { body, chunked, headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ server: 'real', body });
      await waitFor(() => receivedAt(`/all/post${i}`).length === 1, 5000, `POST ${i} mirrored`);
      const copy = receivedAt(`/all/post${i}`)[0];
      expect(copy.method).toBe('POST');
      expect(copy.body.length).toBe(body.length);
      expect(copy.body === body).toBe(true);
      expect(copy.headers['content-type']).toBe('text/plain');
    }
  });

  it('sends the configured path to the mirror, keeping the query', async () => {
    expect((await send('GET', '/copy/a/b?q=1')).status).toBe(200);
    await waitFor(() => receivedAt('/copy?q=1').length === 1, 5000, 'path replaced');
  });

  it('does not mirror a body beyond maxBodySize, and the real request does not notice', async () => {
    const body = 'y'.repeat(100);
    for (const chunked of [false, true]) {
      const res = await send('POST', `/small/${chunked}`, { body, chunked });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).body).toBe(body);
    }
    expect((await send('POST', '/small/tiny', { body: 'ok' })).status).toBe(200);
    await waitFor(() => receivedAt('/small/tiny').length === 1, 5000, 'small body mirrored');
    expect(receivedAt('/small/false')).toEqual([]);
    expect(receivedAt('/small/true')).toEqual([]);
  });

  it('mirrors nothing at sampleRatio 0 and about half at 0.5', async () => {
    for (let i = 0; i < 20; i++) expect((await send('GET', '/none')).status).toBe(200);
    const results = [];
    for (let i = 0; i < 200; i++) results.push((await send('GET', `/half/${i}`)).status);
    expect(results.every((s) => s === 200)).toBe(true);
    // Mirrors start with their exchange: once a later one arrived, the earlier ones have had their turn.
    expect((await send('GET', '/all/sentinel')).status).toBe(200);
    await waitFor(() => receivedAt('/all/sentinel').length === 1, 5000, 'sentinel mirrored');
    expect(receivedAt('/none')).toEqual([]);
    // Binomial(200, 0.5): sd ≈ 7, so 60..140 is beyond 5 sd.
    const half = receivedAt('/half').length;
    expect(half).toBeGreaterThan(60);
    expect(half).toBeLessThan(140);
  });

  it('a refusing mirror neither slows nor fails real requests', async () => {
    const failedBefore = await mirrorMetric('failed');
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = i % 2 ? await send('POST', '/down', { body: `body ${i}` }) : await send('GET', '/down');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).server).toBe('real');
      times.push(res.ms);
    }
    expect(Math.max(...times)).toBeLessThan(200);
    await waitFor(async () => (await mirrorMetric('failed')) >= failedBefore + 1, 5000, 'failures counted');
  });

  it('a mirror that never answers neither slows nor fails real requests, and times out', async () => {
    const timeoutsBefore = await mirrorMetric('timeout');
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = i % 2 ? await send('POST', '/stall', { body: 'z'.repeat(1000), chunked: i % 4 === 1 }) : await send('GET', '/stall');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).server).toBe('real');
      times.push(res.ms);
    }
    expect(Math.max(...times)).toBeLessThan(200);
    expect(stallBytes).toBeGreaterThan(0); // the mirror requests really went out
    // timeout: 1 s, then the mirror connections are closed and counted.
    await waitFor(async () => (await mirrorMetric('timeout')) >= timeoutsBefore + 20, 5000, 'mirror timeouts');
    await waitFor(() => stallSockets.size === 0, 5000, 'mirror connections closed');
  });

  it('abandons a mirror whose socket cannot keep up instead of pausing the real request', async () => {
    const abandonedBefore = await mirrorMetric('abandoned');
    const body = Buffer.alloc(16 * 1024 * 1024, 'j').toString();
    for (const chunked of [false, true]) {
      const res = await send('POST', '/jam', { body, chunked });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).body.length).toBe(body.length);
    }
    expect(await mirrorMetric('abandoned')).toBeGreaterThanOrEqual(abandonedBefore + 2);
    // The jam upstream never reads, so it cannot see the close by reading: a write does, failing
    // once the gateway has let the connection go (a reset comes back), which closes the socket.
    await waitFor(
      () => {
        for (const s of jamSockets) s.write('.');
        return jamSockets.size === 0;
      },
      5000,
      'abandoned mirror connections closed',
    );
  });

  it('refuses a mirror to a missing upstream and guards the mirror upstream against deletion', async () => {
    const bad = await api('PUT', '/routes/bad', { backends: [{ upstreamId: 'real' }], plugins: { 'request-mirror': { upstreamId: 'nope' } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/plugins/request-mirror');
    const del = await api('DELETE', '/upstreams/shadow');
    expect(del.status).toBe(409);
  });
});
