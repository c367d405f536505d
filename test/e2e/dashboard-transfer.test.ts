// Import/export, stream routes, certificates and the small-screen layout in the dashboard,
// against a real control plane, etcd and data planes: an export brought back by an import
// must restore traffic, a stream route made in the form must open its port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '@sluice/model';
import { ADMIN_KEY, startDashboardStack, type DashboardStack } from '../../dashboard/e2e/fixture.js';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { LineClient, makeCerts, startTcpEcho, type TcpEcho, type TestCerts } from './stream-fixtures.js';

let s: DashboardStack;
let tcp: TcpEcho;
let certs: TestCerts;
let tmp: string;

beforeAll(async () => {
  s = await startDashboardStack('dashboard-transfer', { dataplaneCount: 1 });
  tcp = await startTcpEcho('tcp');
  certs = makeCerts(['shop.example.com']);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dashboard-'));
  expect((await s.api('PUT', '/upstreams/echo-v1', { nodes: [{ host: '127.0.0.1', port: s.echoes.v1.port }] })).status).toBe(201);
  expect((await s.api('PUT', '/routes/shop', { match: { paths: [{ type: 'prefix', value: '/shop' }] }, backends: [{ upstreamId: 'echo-v1' }] })).status).toBe(
    201,
  );
  expect((await s.api('PUT', '/upstreams/tcp-up', { nodes: [{ host: '127.0.0.1', port: tcp.port }] })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await tcp?.close();
  certs?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('dashboard: import/export, streams, certificates', () => {
  it('signs in with the keyboard alone', async () => {
    await s.page.goto(`${s.base}/`);
    // The key field takes focus once the app has rendered (the page's load event can come
    // first: keys typed before that would be lost); then Enter submits the form.
    await s.page.locator('input:focus').and(s.page.getByLabel('Admin key')).waitFor();
    await s.page.keyboard.type(ADMIN_KEY);
    await s.page.keyboard.press('Enter');
    await loginPage(s.page).whoami.waitFor();
    await waitFor(async () => (await s.servedBy('/shop')) === 'v1', 15_000, 'route live');
  });

  it('exports YAML, and importing it after a delete restores traffic', async () => {
    const { page } = s;
    await page.getByRole('link', { name: 'Import/export' }).click();
    const exportPanel = page.getByRole('heading', { name: 'Export' }).locator('..');
    for (const title of ['Certificates', 'Stream routes', 'Consumers', 'Plugin configs', 'Global rules', 'Services'])
      await exportPanel.getByLabel(title, { exact: true }).uncheck();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download YAML' }).click()]);
    const file = path.join(tmp, 'export.yaml');
    await download.saveAs(file);
    const yaml = fs.readFileSync(file, 'utf8');
    expect(yaml).toContain('id: shop');
    expect(yaml).toContain('id: echo-v1');
    expect(yaml).not.toContain('collection: stream-routes');

    expect((await s.api('DELETE', '/routes/shop')).status).toBeLessThan(300);
    expect((await s.api('DELETE', '/upstreams/echo-v1')).status).toBeLessThan(300);
    await waitFor(async () => (await s.servedBy('/shop')) === 'status 404', 15_000, 'route gone');

    const importPanel = page.locator('[data-import="yaml"]');
    await importPanel.getByLabel('Documents (YAML) file').setInputFiles(file);
    await importPanel.getByRole('button', { name: 'Preview' }).click();
    const plan = importPanel.getByTestId('import-plan');
    await expect.poll(() => plan.textContent()).toContain('2 to create');
    expect(await plan.textContent()).toContain('routes/shop');
    await s.shot('import-preview');
    await importPanel.getByRole('button', { name: 'Apply' }).click();
    await importPanel.getByText(/^Imported at revision \d+\.$/).waitFor();
    await waitFor(async () => (await s.servedBy('/shop')) === 'v1', 15_000, 'import restored the route');
  });

  it('creates a TCP stream route in the form and its port echoes through the data plane', async () => {
    const { page } = s;
    const port = await freePort();
    await page.goto(`${s.base}/stream-routes/new`);
    await page.locator('input[name="id"]').fill('tcp-echo');
    await page.locator('select[name="protocol"]').selectOption('tcp');
    // SNI is a TLS-only field.
    expect(await page.locator('input[name="sni"]').count()).toBe(0);
    await page.locator('input[name="listenPort"]').fill(String(port));
    await page.getByRole('button', { name: 'Add backend' }).click();
    await page.getByLabel('Backend 1 upstream').selectOption('tcp-up');
    await page.locator('input[name="remoteAddrs"]').fill('127.0.0.1/32');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Stream route tcp-echo' }).waitFor();
    expect((await s.api('GET', '/stream-routes/tcp-echo')).body).toMatchObject({
      protocol: 'tcp',
      listenPort: port,
      backends: [{ upstreamId: 'tcp-up' }],
      remoteAddrs: ['127.0.0.1/32'],
    });
    await s.shot('stream-route-editor');

    let client: LineClient | undefined;
    await waitFor(
      async () => {
        client = await LineClient.connect(port).catch(() => undefined);
        return client !== undefined;
      },
      15_000,
      'stream port open',
    );
    try {
      expect(await client!.ask('hello')).toBe('tcp:hello');
    } finally {
      client!.close();
    }
  });

  it('uploads a certificate from a file, shows its expiry warning, and never shows the key again', async () => {
    const { page } = s;
    const leaf = certs.leaf('shop.example.com');
    const certFile = path.join(tmp, 'shop.crt');
    fs.writeFileSync(certFile, leaf.cert);
    await page.goto(`${s.base}/ssls/new`);
    await page.locator('input[name="id"]').fill('shop-cert');
    await page.locator('input[name="snis"]').fill('shop.example.com');
    await page.getByLabel('Certificate PEM file').setInputFiles(certFile);
    await expect.poll(() => page.locator('textarea[name="cert"]').inputValue()).toContain('BEGIN CERTIFICATE');
    await page.locator('textarea[name="key"]').fill(leaf.key);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Certificate shop-cert' }).waitFor();

    // The test CA signs for two days: well under the 30-day warning.
    await page.getByTestId('expiry-warning').waitFor();
    expect(Number(await page.getByTestId('days-left').textContent())).toBeLessThanOrEqual(2);
    await page.getByTestId('key-stored').waitFor();
    expect(await page.locator('textarea[name="key"]').inputValue()).toBe('');
    const keyBody = leaf.key.split('\n')[1];
    expect(await page.content()).not.toContain(keyBody);
    await s.shot('certificate-editor');

    // Renaming keeps the stored key: the form sends the stored-secret placeholder back.
    await page.locator('input[name="name"]').fill('Shop certificate');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved at revision \d+\.$/).waitFor();
    expect((await s.api('GET', '/ssls/shop-cert')).body).toMatchObject({ name: 'Shop certificate', key: SECRET_PLACEHOLDER });
    const client = new Etcd3({ hosts: s.etcd.endpoint });
    try {
      expect(JSON.parse((await client.get(`${s.prefix}/ssls/shop-cert`).string())!).key).toBe(leaf.key);
    } finally {
      client.close();
    }
  });

  it('is usable 390 px wide: nothing overflows sideways', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const url of ['/', '/routes', '/routes/shop', '/import-export']) {
        await page.goto(`${s.base}${url}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `horizontal overflow on ${url}`).toBeLessThanOrEqual(0);
      }
      await page.goto(`${s.base}/routes/shop`);
      await page.getByRole('heading', { name: 'Route shop' }).waitFor();
      await s.shot('mobile-route-editor');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('logged no console errors on any page', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
