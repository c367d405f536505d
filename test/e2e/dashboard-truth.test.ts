// The dashboard tells the truth (issue 17), in real Chromium against a real control plane,
// etcd and data plane: "applied" means served, a create never replaces, history diffs are
// readable, a concurrent edit offers reload or compare, viewers see no secret, and the app is
// served compressed with long-lived cache headers.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDashboardStack, type DashboardStack } from '../../dashboard/e2e/fixture.js';
import { documentEditor } from '../../dashboard/e2e/pom/document-editor.js';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { overviewPage } from '../../dashboard/e2e/pom/overview.js';
import { routeEditor } from '../../dashboard/e2e/pom/route-editor.js';
import { freePort } from '../helpers/ports.js';
import { askOnce as ask, startTcpEcho, type TcpEcho } from './stream-fixtures.js';

let s: DashboardStack;
let tcp: TcpEcho;
let holder: net.Server | undefined;
let viewerKey: string;

beforeAll(async () => {
  s = await startDashboardStack('dashboard-truth', { dataplaneCount: 1 });
  tcp = await startTcpEcho('tcp');
  for (const [id, port] of [
    ['echo-v1', s.echoes.v1.port],
    ['echo-v2', s.echoes.v2.port],
    ['tcp-up', tcp.port],
  ] as const) {
    expect((await s.api('PUT', `/upstreams/${id}`, { nodes: [{ host: '127.0.0.1', port }] })).status).toBe(201);
  }
  expect((await s.api('PUT', '/routes/shop', { match: { paths: [{ type: 'prefix', value: '/shop' }] }, backends: [{ upstreamId: 'echo-v1' }] })).status).toBe(
    201,
  );
  const consumer = await s.api('PUT', '/consumers/alice', {
    username: 'alice',
    plugins: { 'basic-auth': { username: 'alice', password: 'alice-very-secret-pw' } },
  });
  expect(consumer.status).toBe(201);
  viewerKey = (await s.api('POST', '/admin-keys', { name: 'watcher', role: 'viewer' })).body.key;
}, 60_000);

afterAll(async () => {
  holder?.close();
  await s?.stop();
  await tcp?.close();
});

describe('dashboard: the truth', () => {
  it('serves the app precompressed (brotli, gzip) with long-lived cache headers for hashed files', async () => {
    const index = await fetch(`${s.base}/`, { headers: { accept: 'text/html' } });
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/.+-[\w-]{8,}\.js$/);
    const plain = await fetch(`${s.base}${script}`, { headers: { 'accept-encoding': 'identity' } });
    const raw = (await plain.arrayBuffer()).byteLength;
    for (const encoding of ['br', 'gzip']) {
      const res = await fetch(`${s.base}${script}`, { headers: { 'accept-encoding': encoding } });
      expect(res.headers.get('content-encoding'), encoding).toBe(encoding);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(Number(res.headers.get('content-length'))).toBeLessThan(raw / 2);
    }
  });

  it('signs in; a stream route moved onto a held port is shown rejected everywhere while its old port serves on', async () => {
    await loginPage(s.page).signIn(s.base, ADMIN_KEY);
    await loginPage(s.page).whoami.waitFor();
    const oldPort = await freePort();
    expect(
      (
        await s.api('PUT', '/stream-routes/db?wait=applied&timeout=10s', { protocol: 'tcp', listenPort: oldPort, backends: [{ upstreamId: 'tcp-up' }] })
      ).headers.get('x-sluice-applied'),
    ).toBe('true');
    expect(await ask(oldPort, 'one')).toBe('tcp:one');

    holder = net.createServer();
    await new Promise<void>((resolve) => holder!.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    const editor = documentEditor(s.page);
    await s.page.goto(`${s.base}/stream-routes/db`);
    await s.page.getByRole('heading', { name: 'Stream route db' }).waitFor();
    await s.page.locator('input[name="listenPort"]').fill(String(taken));
    await editor.save();
    // Saved (the document is stored) but not applied: the editor names the data plane's reason.
    await expect.poll(() => editor.appliedSummary.textContent(), { timeout: 15_000 }).toMatch(/rejected.*EADDRINUSE/i);
    expect(await editor.appliedSummary.textContent()).not.toMatch(/^Applied on/);
    expect(await ask(oldPort, 'two')).toBe('tcp:two');
    await s.shot('stream-route-rejected');

    // The list's Applied column and the overview agree with it.
    await s.page.goto(`${s.base}/stream-routes`);
    await expect.poll(() => s.page.locator('tr[data-id="db"] [data-applied]').textContent()).toContain('rejected');
    const overview = overviewPage(s.page);
    await overview.open(s.base);
    await expect.poll(() => s.page.getByRole('list', { name: 'Rejected documents' }).textContent(), { timeout: 15_000 }).toContain('stream-routes/db');
    expect(await overview.allApplied.count()).toBe(0);
    await s.page.getByTestId('not-all-applied').waitFor();
    await s.shot('overview-rejected');

    // A free port: applied, the rejection and the warning go.
    const next = await freePort();
    await s.page.goto(`${s.base}/stream-routes/db`);
    await s.page.locator('input[name="listenPort"]').fill(String(next));
    await editor.save();
    await editor.savedNotice.waitFor();
    await expect.poll(() => editor.appliedSummary.textContent(), { timeout: 15_000 }).toBe('Applied on 1/1 data planes.');
    expect(await ask(next, 'three')).toBe('tcp:three');
    await overview.open(s.base);
    await overview.allApplied.waitFor({ timeout: 15_000 });
    expect(await s.page.getByRole('list', { name: 'Rejected documents' }).count()).toBe(0);
  });

  it('refuses a "New" form whose id exists, leaving the live document and its traffic alone', async () => {
    const { page } = s;
    await page.goto(`${s.base}/upstreams/new`);
    await page.locator('input[name="id"]').fill('echo-v1');
    await page.getByLabel('Node 1 port').fill(String(s.echoes.v2.port));
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('save-error').textContent()).toContain('already exists');
    expect((await s.api('GET', '/upstreams/echo-v1')).body.nodes).toEqual([{ host: '127.0.0.1', port: s.echoes.v1.port }]);
    expect(await s.servedBy('/shop')).toBe('v1');
    const audit = (await s.api('GET', '/audit?collection=upstreams&id=echo-v1')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['create']);
  });

  it('says saved and applied right after a Create', async () => {
    const { page } = s;
    const editor = documentEditor(page);
    await page.goto(`${s.base}/routes/new`);
    await page.locator('input[name="id"]').fill('fresh');
    await routeEditor(page).pathValue(0).fill('/fresh');
    await routeEditor(page).addBackend();
    await routeEditor(page).backendUpstream(0).selectOption('echo-v2');
    await editor.save();
    await page.getByRole('heading', { name: 'Route fresh' }).waitFor();
    await page.getByText(/^Created at revision \d+\.$/).waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 1/1 data planes.');
    expect(await s.servedBy('/fresh')).toBe('v2');
  });

  it('shows a history diff that fits the page and marks only what changed; rollback asks first and re-checks applied', async () => {
    expect((await s.api('PATCH', '/routes/shop', { backends: [{ upstreamId: 'echo-v2' }], desc: 'x'.repeat(400) })).status).toBe(200);
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await expect.poll(() => editor.historyEntries.count()).toBe(1);
    const diff = await editor.openDiff();
    await expect.poll(async () => (await diff.locator('[data-change="removed"]').allTextContents()).join('\n')).toContain('echo-v2');
    // Only the changed lines are marked: the backend line and the new description, no more.
    expect(await diff.locator('[data-change]').count()).toBeLessThanOrEqual(3);
    expect((await diff.locator('[data-change="added"]').allTextContents()).join('\n')).toContain('echo-v1');
    const fits = await s.page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      height: document.documentElement.scrollHeight,
    }));
    expect(fits.overflow).toBeLessThanOrEqual(0);
    expect(fits.height).toBeLessThan(1800);
    const box = await diff.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);

    // Rollback asks first; Cancel leaves everything as it is.
    await editor.historyEntries.first().getByRole('button', { name: 'Roll back' }).click();
    const confirmBox = s.page.getByTestId('rollback-confirm');
    await confirmBox.getByRole('button', { name: 'Cancel' }).click();
    await confirmBox.waitFor({ state: 'detached' });
    expect(await s.servedBy('/shop')).toBe('v2');
    await editor.rollBack();
    await s.page.getByText(/^Rolled back to the version of revision \d+\.$/).waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 1/1 data planes.');
    expect(await s.servedBy('/shop')).toBe('v1');
  });

  it('offers reload or compare when someone else saved in between', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await editor.pathValue(0).fill('/shop-mine');
    expect((await s.api('PATCH', '/routes/shop', { name: 'theirs' })).status).toBe(200);
    await editor.save();
    const conflict = s.page.getByTestId('conflict');
    await conflict.waitFor();
    await conflict.getByRole('button', { name: 'Compare' }).click();
    const diff = conflict.getByRole('figure');
    await expect.poll(() => diff.locator('[data-change]').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('/shop-mine')]));
    expect(await diff.textContent()).toContain('theirs');
    await s.shot('edit-conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => s.page.locator('input[name="name"]').inputValue()).toBe('theirs');
    expect(await editor.pathValue(0).inputValue()).toBe('/shop');
    expect(await s.servedBy('/shop')).toBe('v1');
  });

  it("shows a viewer a consumer's credentials as stored secrets, never their values", async () => {
    const login = loginPage(s.page);
    await login.signOut();
    await login.signIn(s.base, viewerKey);
    await login.whoami.getByText('viewer').waitFor();
    await s.page.goto(`${s.base}/consumers/alice`);
    await s.page.getByRole('heading', { name: 'Consumer alice' }).waitFor();
    const password = s.page.locator('[data-path="/plugins/basic-auth/password"] input');
    await password.waitFor();
    expect(await password.getAttribute('type')).toBe('password');
    expect(await s.page.content()).not.toContain('alice-very-secret-pw');
    await s.page.getByRole('tab', { name: 'JSON' }).click();
    expect(await s.page.getByLabel('Document JSON').inputValue()).not.toContain('alice-very-secret-pw');
    await login.signOut();
    await login.signIn(s.base, ADMIN_KEY);
    await login.whoami.waitFor();
  });

  it('logged no console errors on any page', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
