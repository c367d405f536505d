import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { FRONTS, json, request, startProxy, type TestProxy } from './proxy-harness.js';

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

async function closeServer(server: http.Server | net.Server): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

describe.each(FRONTS)('HTTP proxy: upstream failures, timeouts and retries (%s front)', (front) => {
  let good: EchoServer;
  let deadPort: number;
  let silent: net.Server;
  const silentSockets = new Set<net.Socket>();
  let flaky: http.Server;
  let slow: http.Server;
  let slowClosed = 0;
  let stale: net.Server;
  let staleConnections = 0;
  let proxy: TestProxy;

  beforeAll(async () => {
    good = await startHttpEcho('good');
    deadPort = await freePort(); // nothing listens: connection refused
    // Accepts, reads, never answers.
    silent = net.createServer((s) => {
      silentSockets.add(s);
      s.on('error', () => {});
      s.on('close', () => silentSockets.delete(s));
    });
    const silentPort = await listen(silent);
    flaky = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy busy busy');
    });
    const flakyPort = await listen(flaky);
    // Sends the head and a first chunk, then holds the response open until the client goes away.
    slow = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first-chunk');
      res.on('close', () => slowClosed++);
    });
    const slowPort = await listen(slow);
    // Answers one request per connection with keep-alive, then resets the connection when the
    // next request arrives on it: a keep-alive socket the server dropped as we reused it.
    stale = net.createServer((s) => {
      staleConnections++;
      let served = false;
      s.on('error', () => {});
      s.on('data', () => {
        if (served) return void s.resetAndDestroy();
        served = true;
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nfresh');
      });
    });
    const stalePort = await listen(stale);

    const one = (port: number) => ({ nodes: [{ host: '127.0.0.1', port }] });
    proxy = await startProxy(
      [
        { id: 'refused', route: { match: { paths: [{ type: 'prefix', value: '/refused' }] } }, upstream: one(deadPort) },
        { id: 'silent', route: { match: { paths: [{ type: 'prefix', value: '/silent' }] }, timeout: { read: 1 } }, upstream: one(silentPort) },
        {
          id: 'half-dead',
          route: { match: { paths: [{ type: 'prefix', value: '/half-dead' }] } },
          upstream: {
            nodes: [
              { host: '127.0.0.1', port: deadPort },
              { host: '127.0.0.1', port: good.port },
            ],
          },
        },
        {
          id: 'retry-503',
          route: { match: { paths: [{ type: 'prefix', value: '/retry-503' }] } },
          upstream: {
            nodes: [
              { host: '127.0.0.1', port: flakyPort },
              { host: '127.0.0.1', port: good.port },
            ],
            retryOn: ['error', 503],
          },
        },
        {
          id: 'no-retry-503',
          route: { match: { paths: [{ type: 'prefix', value: '/no-retry-503' }] } },
          upstream: {
            nodes: [
              { host: '127.0.0.1', port: flakyPort },
              { host: '127.0.0.1', port: good.port },
            ],
          },
        },
        { id: 'slow', route: { match: { paths: [{ type: 'prefix', value: '/slow' }] } }, upstream: one(slowPort) },
        { id: 'stale', route: { match: { paths: [{ type: 'prefix', value: '/stale' }] } }, upstream: one(stalePort) },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await good.close();
    for (const s of silentSockets) s.destroy();
    await closeServer(silent);
    await closeServer(flaky);
    await closeServer(slow);
    await closeServer(stale);
  });

  it('answers 502 GW_ERR_UPSTREAM_CONNECT when the node refuses connections', async () => {
    const r = await request(`${proxy.url}/refused`);
    expect(r.status).toBe(502);
    expect(json(r.body)).toEqual({ code: 'GW_ERR_UPSTREAM_CONNECT', message: 'upstream connection failed' });
    expect(proxy.done.at(-1)).toEqual({ routeId: 'refused', status: 502 });
  });

  it('answers 504 GW_ERR_UPSTREAM_TIMEOUT when no response head arrives within the read timeout', async () => {
    const started = Date.now();
    const r = await request(`${proxy.url}/silent`);
    const took = Date.now() - started;
    expect(r.status).toBe(504);
    expect(json(r.body).code).toBe('GW_ERR_UPSTREAM_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(5000);
  });

  it('retries past a refusing node: every request succeeds', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => request(`${proxy.url}/half-dead`)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.every((r) => json(r.body).server === 'good')).toBe(true);
  });

  it('retries a 503 on another node only when retryOn lists it', async () => {
    const retried = await Promise.all(Array.from({ length: 10 }, () => request(`${proxy.url}/retry-503`)));
    expect(retried.map((r) => r.status)).toEqual(Array(10).fill(200));
    const passed = await Promise.all(Array.from({ length: 10 }, () => request(`${proxy.url}/no-retry-503`)));
    const statuses = passed.map((r) => r.status);
    expect(statuses).toContain(503);
    expect(statuses).toContain(200);
    const a503 = passed.find((r) => r.status === 503)!;
    expect(a503.body.toString()).toBe('busy busy busy');
  });

  it('retries transparently on a fresh connection when a reused keep-alive socket was dropped', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 4; i++) {
      const r = await request(`${proxy.url}/stale`, { agent });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('fresh');
    }
    agent.destroy();
    // Every reuse hit a reset and went again on a new connection.
    expect(staleConnections).toBe(4);
  });

  it('survives a client that aborts mid-response, and closes the upstream side', async () => {
    const before = slowClosed;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${proxy.url}/slow`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      setTimeout(() => reject(new Error('no first chunk')), 5000).unref();
    });
    await waitFor(() => slowClosed > before, 5000, 'the upstream response to be abandoned');
    await waitFor(() => proxy.proxy.stats().inFlight === 0, 5000, 'the exchange to end');
    expect(proxy.done.at(-1)).toEqual({ routeId: 'slow', status: 200 });
    const after = await request(`${proxy.url}/half-dead`);
    expect(after.status).toBe(200);
  });
});

describe.each(FRONTS)('HTTP proxy: connect timeout (%s front)', (front) => {
  let holder: ChildProcess;
  let fillers: net.Socket[] = [];
  let proxy: TestProxy;

  beforeAll(async () => {
    // A listener that never accepts, with its accept queue filled: further SYNs are dropped,
    // so a connect attempt hangs as it would towards an unreachable host.
    holder = spawn(
      'python3',
      [
        '-c',
        ['import socket, sys', 's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)', 'print(s.getsockname()[1], flush=True)', 'sys.stdin.read()'].join(
          '\n',
        ),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve) => holder.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    for (let i = 0; i < 4; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      fillers.push(s);
    }
    proxy = await startProxy([{ id: 'blackhole', route: { timeout: { connect: 1 } }, upstream: { nodes: [{ host: '127.0.0.1', port }] } }], front);
  });

  afterAll(async () => {
    await proxy.close();
    for (const s of fillers) s.destroy();
    fillers = [];
    holder.stdin!.end();
    holder.kill();
  });

  it('answers 504 GW_ERR_UPSTREAM_TIMEOUT after the connect timeout', async () => {
    const started = Date.now();
    const r = await request(`${proxy.url}/any`);
    const took = Date.now() - started;
    expect(r.status).toBe(504);
    expect(json(r.body).code).toBe('GW_ERR_UPSTREAM_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(5000);
  });
});
