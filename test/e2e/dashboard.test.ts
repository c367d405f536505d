// The dashboard in real headless Chromium (Debian's /usr/bin/chromium via playwright-core)
// against a real control plane serving the built app, a real etcd, a data plane and echo
// upstreams: what is clicked in the forms must change real traffic.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey } from '@sluice/model';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { routeEditor } from '../../dashboard/e2e/pom/route-editor.js';
import { adminClient } from '../helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const screenshots = path.join(repoRoot, 'docs/dashboard');
const KEY = 'test-key';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dp: GatewayProcess;
let v1: EchoServer;
let v2: EchoServer;
let prefix: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
let base: string;
const consoleErrors: string[] = [];
const api = adminClient(() => cp?.ports.admin, KEY);

/** Which echo upstream answered GET <path> through the data plane (or the status when none did). */
async function servedBy(urlPath: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}${urlPath}`);
  await res.arrayBuffer();
  return res.headers.get('x-upstream') ?? `status ${res.status}`;
}

const shot = (name: string) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!fs.existsSync(path.join(repoRoot, 'dashboard/dist/index.html'))) {
    throw new Error('dashboard/dist is missing: run `npm run build` first');
  }
  fs.mkdirSync(screenshots, { recursive: true });
  etcd = await startEtcd();
  prefix = etcd.prefix('dashboard');
  [v1, v2] = await Promise.all([startHttpEcho('v1'), startHttpEcho('v2')]);
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
  base = `http://127.0.0.1:${cp.ports.admin}`;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? (await context.newPage());
  // A refused key or a rejected save is logged by Chromium as a failed resource load: that
  // is the API answering, not the app failing. Anything else is a bug.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await Promise.all([cp?.stop(), dp?.stop()]);
  await Promise.all([v1?.close(), v2?.close()]);
  await etcd?.stop();
});

describe('dashboard', () => {
  it('serves the app on the admin port and refuses a wrong key', async () => {
    const login = loginPage(page);
    await login.signIn(base, 'not-the-key');
    await expect.poll(() => login.error.textContent()).toContain('X-API-Key is not valid');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await shot('login');
  });

  it('signs in and shows the registered data plane on the overview', async () => {
    await loginPage(page).signIn(base, KEY);
    const table = page.getByRole('table', { name: 'Data planes' });
    await table.waitFor();
    // The data plane registers itself under a lease; the overview lists what etcd holds.
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await table.locator('tbody tr td').first().textContent())?.includes('No data plane') === false;
    }, 15_000, 'data plane listed');
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody').textContent()).toMatch(/ready|starting/);
    // The key never appears in a URL; it stays in this tab's sessionStorage.
    expect(page.url()).not.toContain(KEY);
    await shot('overview');
  });

  it('creates an upstream and a route through the forms, and traffic reaches the echo upstream', async () => {
    await page.getByRole('link', { name: 'Upstreams', exact: true }).click();
    await page.getByRole('link', { name: 'New upstream' }).click();
    await page.locator('input[name="id"]').fill('echo-v1');
    await page.locator('input[name="name"]').fill('Echo v1');
    await page.getByLabel('Node 1 port').fill(String(v1.port));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Upstream echo-v1' }).waitFor();
    await shot('upstream-editor');
    const stored = await api('GET', '/upstreams/echo-v1');
    expect(stored.body.nodes).toEqual([{ host: '127.0.0.1', port: v1.port }]);

    const editor = routeEditor(page);
    await page.goto(`${base}/routes/new`);
    await editor.idInput.fill('shop');
    await page.locator('input[name="name"]').fill('Shop');
    await editor.pathValue(0).fill('/shop');
    await editor.addBackend();
    await editor.backendUpstream(0).selectOption('echo-v1');
    await editor.save();
    await page.getByRole('heading', { name: 'Route shop' }).waitFor();
    await waitFor(async () => (await servedBy('/shop/cart')) === 'v1', 15_000, 'route live on the data plane');
    expect(await servedBy('/shopping')).toBe('status 404');
    await shot('route-editor');
  });

  it('shows a server validation error next to the field it names', async () => {
    const editor = routeEditor(page);
    await editor.open(base, 'shop');
    await editor.addPath();
    await editor.pathType(1).selectOption('regex');
    await editor.pathValue(1).fill('/items/(');
    await editor.save();
    await expect.poll(() => editor.fieldError('/match/paths/1/value').textContent()).toMatch(/regular expression|regex/i);
    expect(await editor.fieldError('/match/paths/0/value').count()).toBe(0);
    await shot('route-validation-error');
    // Nothing was written: the route still serves as before.
    expect((await api('GET', '/routes/shop')).body.match.paths).toEqual([{ type: 'prefix', value: '/shop' }]);
  });

  it('opens a Kubernetes-owned route read-only, naming its owner', async () => {
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put(documentKey(prefix, 'routes', 'k8s-web')).value(
        JSON.stringify({
          id: 'k8s-web',
          name: 'ingress/default/web/rule/0',
          owner: { kind: 'Ingress', namespace: 'default', name: 'web', uid: 'u-1' },
          match: { hosts: ['web.example.com'], paths: [{ type: 'prefix', value: '/' }] },
          backends: [{ upstreamId: 'echo-v1' }],
        }),
      );
    } finally {
      client.close();
    }
    await page.goto(`${base}/routes`);
    const row = page.locator('tr[data-id="k8s-web"]');
    await expect.poll(() => row.textContent()).toContain('Ingress default/web · read-only');
    expect(await page.locator('tr[data-id="shop"]').textContent()).toContain('admin');
    await shot('routes-list');

    await row.getByRole('link', { name: 'k8s-web' }).click();
    const editor = routeEditor(page);
    await editor.readOnlyBanner.waitFor();
    expect(await editor.readOnlyBanner.textContent()).toContain('Ingress default/web');
    expect(await editor.pathValue(0).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await editor.history.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
  });

  it('edits a route, then rolls it back from the history panel', async () => {
    expect((await api('PUT', '/upstreams/echo-v2', { nodes: [{ host: '127.0.0.1', port: v2.port }] })).status).toBe(201);
    const editor = routeEditor(page);
    await editor.open(base, 'shop');
    await editor.backendUpstream(0).selectOption('echo-v2');
    await editor.save();
    await editor.savedNotice.waitFor();
    await waitFor(async () => (await servedBy('/shop')) === 'v2', 15_000, 'edit applied');

    const entries = editor.history.locator('li');
    // Earlier versions only (the current one is not a rollback target): the one the form created.
    await expect.poll(() => entries.count()).toBe(1);
    await shot('route-history');
    await entries.first().getByRole('button', { name: 'Roll back' }).click();
    await page.getByText(/^Rolled back to the version of revision \d+\.$/).waitFor();
    await waitFor(async () => (await servedBy('/shop')) === 'v1', 15_000, 'rollback applied');
    expect(await editor.backendUpstream(0).inputValue()).toBe('echo-v1');
    expect((await api('GET', '/routes/shop')).body.backends).toEqual([{ upstreamId: 'echo-v1' }]);
  });

  it('edits other kinds as JSON through the same registry-driven pages', async () => {
    await page.goto(`${base}/consumers/new`);
    const json = page.getByLabel('Document JSON');
    await json.fill(JSON.stringify({ username: 'alice', plugins: { 'key-auth': { key: 'alice-key' } } }, null, 2));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'consumer alice' }).waitFor();
    expect((await api('GET', '/consumers/alice')).status).toBe(200);
    await page.goto(`${base}/consumers`);
    await page.locator('tr[data-id="alice"]').waitFor();
    await shot('consumers-list');
    expect(consoleErrors).toEqual([]);
  });
});
