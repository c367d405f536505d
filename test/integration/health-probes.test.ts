import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveChecker } from '../../data-plane/src/health/active-checker.js';
import { resolveActiveCheck } from '../../data-plane/src/health/active-check-settings.js';
import { probeNode } from '../../data-plane/src/health/probe-node.js';
import { waitFor } from '../helpers/ports.js';

const servers: { close(cb?: () => void): unknown }[] = [];
let tmp = '';
let tls: { key: Buffer; cert: Buffer };

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-probe-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=probe.test',
      '-keyout',
      path.join(tmp, 'key.pem'),
      '-out',
      path.join(tmp, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  tls = { key: fs.readFileSync(path.join(tmp, 'key.pem')), cert: fs.readFileSync(path.join(tmp, 'cert.pem')) };
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function listen<T extends net.Server>(server: T): Promise<{ server: T; target: { host: string; port: number; key: string } }> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { server, target: { host: '127.0.0.1', port, key: `127.0.0.1:${port}` } };
}

describe('probeNode and the active checker on real sockets', () => {
  it('classifies statuses: healthy list, unhealthy list, neither', async () => {
    let status = 200;
    const { target } = await listen(http.createServer((_req, res) => res.writeHead(status).end()));
    const settings = resolveActiveCheck({ unhealthy: { httpStatuses: [500] } });
    const signal = new AbortController().signal;
    expect(await probeNode(target, settings, signal)).toEqual({ kind: 'success', status: 200 });
    status = 302;
    expect(await probeNode(target, settings, signal)).toEqual({ kind: 'success', status: 302 });
    status = 500;
    expect(await probeNode(target, settings, signal)).toEqual({ kind: 'http-failure', status: 500 });
    status = 404; // in the default unhealthy list, but the list was replaced
    expect(await probeNode(target, settings, signal)).toEqual({ kind: 'neutral', status: 404 });
  });

  it('reports a timeout when the node accepts but never answers, and a refused port as a tcp failure', async () => {
    // resume(): an unread socket would never see the client's FIN and would hold the server open.
    const { target } = await listen(net.createServer((s) => s.on('error', () => {}).resume()));
    const settings = resolveActiveCheck({ timeout: 0.2 });
    expect(await probeNode(target, settings, new AbortController().signal)).toEqual({ kind: 'timeout' });

    const closed = await listen(net.createServer());
    await new Promise<void>((r) => closed.server.close(() => r()));
    servers.splice(servers.indexOf(closed.server), 1);
    expect(await probeNode(closed.target, resolveActiveCheck({ type: 'tcp' }), new AbortController().signal)).toEqual({
      kind: 'tcp-failure',
      error: 'ECONNREFUSED',
    });
  });

  it('probes https with or without certificate verification', async () => {
    const { target } = await listen(https.createServer(tls, (_req, res) => res.writeHead(200).end()));
    const signal = new AbortController().signal;
    expect(await probeNode(target, resolveActiveCheck({ type: 'https', httpsVerifyCertificate: false }), signal)).toEqual({
      kind: 'success',
      status: 200,
    });
    const verified = await probeNode(target, resolveActiveCheck({ type: 'https', host: 'probe.test' }), signal);
    expect(verified.kind).toBe('tcp-failure');
  });

  it('marks a node unhealthy after consecutive timeouts, and stop() aborts a probe in flight', async () => {
    const open = new Set<net.Socket>();
    const { target } = await listen(
      net.createServer((s) => {
        open.add(s);
        s.on('error', () => {});
        s.on('close', () => open.delete(s));
        s.resume();
      }),
    );
    const changes: string[] = [];
    const checker = createActiveChecker(
      [target],
      { timeout: 0.15, healthy: { interval: 0.05 }, unhealthy: { interval: 5, timeouts: 2 } },
      (key, healthy, reason) => changes.push(`${key} ${healthy} ${reason}`),
    );
    try {
      await waitFor(() => !checker.isHealthy(target.key), 5_000, 'timeouts counted');
      expect(checker.unhealthyCount()).toBe(1);
      expect(changes).toEqual([`${target.key} false active: 2 probes timed out`]);
    } finally {
      checker.stop();
    }

    // A probe with a long timeout hangs on the silent node until stop() aborts it.
    const hanging = createActiveChecker([target], { timeout: 30 }, () => {});
    await waitFor(() => open.size >= 1, 5_000, 'probe connected');
    hanging.stop();
    await waitFor(() => open.size === 0, 5_000, 'probe sockets closed by stop()');
    expect(hanging.isHealthy(target.key)).toBe(true);
  });
});
