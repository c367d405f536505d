import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdmin } from '../../control-plane/src/index.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';

let etcd: TestEtcd;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  etcd = await startEtcd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dashboard-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Sluice</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("sluice")');
  app = await buildAdmin({ etcd: etcd.endpoint, prefix: etcd.prefix('dashboard'), adminKey: 'k', dashboardDir: dir });
});

afterAll(async () => {
  await app?.close();
  await etcd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('dashboard files', () => {
  it('serves the app, its assets and the single-page fallback without touching the API', async () => {
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>Sluice</title>');
    const asset = await app.inject({ url: '/assets/app.js' });
    expect(asset.headers['content-type']).toContain('javascript');
    const deepLink = await app.inject({ url: '/routes/abc', headers: { accept: 'text/html' } });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.body).toContain('<title>Sluice</title>');

    const missingAsset = await app.inject({ url: '/assets/missing.js' });
    expect(missingAsset.statusCode).toBe(404);
    expect(missingAsset.json().code).toBe('GW_ERR_NOT_FOUND');
    const api = await app.inject({ url: '/api/v1/widgets', headers: { accept: 'text/html', 'x-api-key': 'k' } });
    expect(api.json().code).toBe('GW_ERR_UNKNOWN_TYPE');
    expect((await app.inject({ url: '/api/v1/routes', headers: { 'x-api-key': 'k' } })).json().total).toBe(0);
  });
});
