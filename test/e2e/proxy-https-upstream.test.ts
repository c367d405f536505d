import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONTS, json, request, startProxy, type TestProxy } from './proxy-harness.js';

describe.each(FRONTS)('HTTP proxy: https upstream (%s front)', (front) => {
  let dir: string;
  let upstream: https.Server;
  let proxy: TestProxy;
  let cert: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-proxy-tls-'));
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
        '/CN=backend.test',
        '-addext',
        'subjectAltName=DNS:backend.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    upstream = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ servername: (req.socket as import('node:tls').TLSSocket).servername, host: req.headers.host }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    proxy = await startProxy(
      [
        {
          id: 'verified',
          route: { match: { paths: [{ type: 'prefix', value: '/verified' }] } },
          upstream: { scheme: 'https', nodes: [{ host: '127.0.0.1', port }], tls: { verify: true, sni: 'backend.test', ca: cert } },
        },
        {
          id: 'wrong-ca',
          route: { match: { paths: [{ type: 'prefix', value: '/wrong' }] } },
          upstream: { scheme: 'https', nodes: [{ host: '127.0.0.1', port }], tls: { verify: true, sni: 'other.test', ca: cert } },
        },
      ],
      front,
    );
  });

  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('speaks TLS to the node with the configured SNI and verifies its certificate', async () => {
    const r = await request(`${proxy.url}/verified`, { headers: { host: 'front.example' } });
    expect(r.status).toBe(200);
    expect(json(r.body)).toEqual({ servername: 'backend.test', host: 'front.example' });
    // A name the certificate does not carry fails verification: no response from that node.
    const bad = await request(`${proxy.url}/wrong`);
    expect(bad.status).toBe(502);
  });
});
