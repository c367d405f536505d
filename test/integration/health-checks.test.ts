import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstreamRuntime } from '../../data-plane/src/balancer/upstream-runtime.js';
import type { UpstreamRuntime } from '../../data-plane/src/balancer/types.js';
import { waitFor } from '../helpers/ports.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const ctx = { remoteAddress: '127.0.0.1', headers: {}, url: '/' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

function healthOf(rt: UpstreamRuntime, key: string): boolean {
  return rt.health().find((h) => h.key === key)!.healthy;
}

/** A bare TCP listener on a given port (to bring a "dead" node back). */
function listenTcp(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end();
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('active and passive health checks against real sockets', () => {
  it('active http check ejects a node answering 500 and brings it back when it answers 200', async () => {
    let failing = false;
    const probedPaths: string[] = [];
    const probedHeaders: http.IncomingHttpHeaders[] = [];
    const sick = track(
      await startHttpEcho('sick', (req, res) => {
        probedPaths.push(req.url ?? '');
        probedHeaders.push(req.headers);
        res.writeHead(failing ? 500 : 200).end();
        return true;
      }),
    );
    const well = track(await startHttpEcho('well'));
    const changes: [string, boolean][] = [];
    const rt = track(
      createUpstreamRuntime(
        'active-http',
        {
          id: 'active-http',
          nodes: [
            { host: '127.0.0.1', port: sick.port },
            { host: '127.0.0.1', port: well.port },
          ],
          checks: {
            active: {
              type: 'http',
              httpPath: '/healthz',
              host: 'probe.example',
              timeout: 1,
              reqHeaders: ['X-Probe: yes'],
              healthy: { interval: 0.1, successes: 2 },
              unhealthy: { interval: 0.1, httpFailures: 2 },
            },
          },
        },
        { onHealthChange: (key, healthy) => changes.push([key, healthy]) },
      ),
    );
    const sickKey = `127.0.0.1:${sick.port}`;
    await waitFor(() => probedPaths.length >= 2, 5_000, 'first probes');
    expect(probedPaths[0]).toBe('/healthz');
    expect(probedHeaders[0]).toMatchObject({ host: 'probe.example', 'x-probe': 'yes' });
    expect(healthOf(rt, sickKey)).toBe(true);

    failing = true;
    await waitFor(() => !healthOf(rt, sickKey), 5_000, 'sick node ejected');
    for (let i = 0; i < 10; i++) expect(rt.select(ctx)!.node.port).toBe(well.port);

    failing = false;
    await waitFor(() => healthOf(rt, sickKey), 5_000, 'sick node back');
    const ports = new Set(Array.from({ length: 10 }, () => rt.select(ctx)!.node.port));
    expect(ports).toEqual(new Set([sick.port, well.port]));
    expect(changes).toEqual([
      [sickKey, false],
      [sickKey, true],
    ]);
  });

  it('active tcp check ejects a closed port and recovers when something listens again', async () => {
    const live = track(await startHttpEcho('live'));
    const flaky = await listenTcp(0);
    const flakyPort = (flaky.address() as net.AddressInfo).port;
    let flakyServer: net.Server | undefined = flaky;
    cleanups.push(() => new Promise<void>((r) => (flakyServer ? flakyServer.close(() => r()) : r())));
    const rt = track(
      createUpstreamRuntime('active-tcp', {
        id: 'active-tcp',
        nodes: [
          { host: '127.0.0.1', port: flakyPort },
          { host: '127.0.0.1', port: live.port },
        ],
        checks: { active: { type: 'tcp', timeout: 0.5, healthy: { interval: 0.1, successes: 1 }, unhealthy: { interval: 0.1, tcpFailures: 2 } } },
      }),
    );
    const flakyKey = `127.0.0.1:${flakyPort}`;
    await new Promise<void>((r) => flaky.close(() => r()));
    flakyServer = undefined;
    await waitFor(() => !healthOf(rt, flakyKey), 5_000, 'closed port ejected');
    expect(healthOf(rt, `127.0.0.1:${live.port}`)).toBe(true);
    expect(rt.select(ctx)!.node.port).toBe(live.port);

    flakyServer = await listenTcp(flakyPort);
    await waitFor(() => healthOf(rt, flakyKey), 5_000, 'port listening again');
  });

  it('passive checks eject after N failures of real traffic and readmit after ejectSeconds', async () => {
    let broken = true;
    const bad = track(
      await startHttpEcho('bad', (_req, res) => {
        res.writeHead(broken ? 503 : 200).end();
        return true;
      }),
    );
    const good = track(await startHttpEcho('good'));
    const rt = track(
      createUpstreamRuntime('passive', {
        id: 'passive',
        nodes: [
          { host: '127.0.0.1', port: bad.port },
          { host: '127.0.0.1', port: good.port },
        ],
        checks: { passive: { failures: 2, ejectSeconds: 0.5 } },
      }),
    );
    const badKey = `127.0.0.1:${bad.port}`;

    // Real requests through real sockets; each outcome is fed back as the proxy would.
    const attempt = async (): Promise<number> => {
      const selection = rt.select(ctx)!;
      rt.onAttemptStart(selection.node);
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: selection.node.host, port: selection.node.port, path: '/', agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      rt.onAttemptEnd(selection.node, { status, latencyMs: performance.now() - started });
      return selection.node.port;
    };

    const served: number[] = [];
    while (healthOf(rt, badKey) && served.length < 20) served.push(await attempt());
    expect(served.filter((p) => p === bad.port)).toHaveLength(2);
    expect(healthOf(rt, badKey)).toBe(false);
    for (let i = 0; i < 6; i++) expect(await attempt()).toBe(good.port);

    broken = false;
    await waitFor(() => healthOf(rt, badKey), 3_000, 'ejection over');
    const after = new Set<number>();
    for (let i = 0; i < 6; i++) after.add(await attempt());
    expect(after).toEqual(new Set([bad.port, good.port]));
    expect(healthOf(rt, badKey)).toBe(true);
  });

  it('an unreachable node under the implicit rule is skipped after one connect error', async () => {
    const good: EchoServer = track(await startHttpEcho('good'));
    const deadServer = await listenTcp(0);
    const deadPort = (deadServer.address() as net.AddressInfo).port;
    await new Promise<void>((r) => deadServer.close(() => r()));
    const rt = track(
      createUpstreamRuntime('implicit', {
        id: 'implicit',
        nodes: [
          { host: '127.0.0.1', port: deadPort },
          { host: '127.0.0.1', port: good.port },
        ],
      }),
    );
    const error = await new Promise<string | undefined>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: deadPort });
      socket.on('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    });
    expect(error).toBe('ECONNREFUSED');
    rt.onAttemptEnd(rt.nodes[0], { error: 'connect', latencyMs: 1 });
    for (let i = 0; i < 5; i++) expect(rt.select(ctx)!.node.port).toBe(good.port);
  });
});
