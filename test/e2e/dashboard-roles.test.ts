// Roles in the dashboard against the real admin API: keys created on the Admin keys page,
// an editor limited to routes, a viewer who can read but not change, and the audit log
// naming the key that wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDashboardStack, type DashboardStack } from '../../dashboard/e2e/fixture.js';
import { adminKeysPage } from '../../dashboard/e2e/pom/admin-keys.js';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { routeEditor } from '../../dashboard/e2e/pom/route-editor.js';
import { waitFor } from '../helpers/ports.js';

let s: DashboardStack;
let editorKey: string;
let viewerKey: string;

beforeAll(async () => {
  s = await startDashboardStack('dashboard-roles', { dataplaneCount: 1 });
  expect((await s.api('PUT', '/upstreams/echo-v1', { nodes: [{ host: '127.0.0.1', port: s.echoes.v1.port }] })).status).toBe(201);
  expect((await s.api('PUT', '/upstreams/echo-v2', { nodes: [{ host: '127.0.0.1', port: s.echoes.v2.port }] })).status).toBe(201);
  expect((await s.api('PUT', '/routes/shop', { match: { paths: [{ type: 'prefix', value: '/shop' }] }, backends: [{ upstreamId: 'echo-v1' }] })).status).toBe(
    201,
  );
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

describe('dashboard: roles and audit', () => {
  it('creates an editor and a viewer key on the Admin keys page, each shown once', async () => {
    await loginPage(s.page).signIn(s.base, ADMIN_KEY);
    const keys = adminKeysPage(s.page);
    await keys.open();
    editorKey = await keys.create('ops-editor', 'editor', ['Routes']);
    viewerKey = await keys.create('ops-viewer', 'viewer');
    expect(editorKey).not.toBe(viewerKey);
    expect(editorKey.length).toBeGreaterThan(16);
    await keys.row('ops-viewer').waitFor();
    expect(await keys.row('ops-editor').textContent()).toContain('routes');
    await s.shot('admin-keys');
    // Shown once: the list never carries a key.
    expect(await s.page.locator('table[aria-label="Admin keys"]').textContent()).not.toContain(viewerKey);
  });

  it('lets an editor change routes only, and the audit log names its key', async () => {
    const login = loginPage(s.page);
    await login.signOut();
    await login.signIn(s.base, editorKey);
    await login.whoami.getByText('editor').waitFor();
    expect(await s.page.getByRole('link', { name: 'Admin keys' }).count()).toBe(0);

    // Upstreams are not among its kinds: read-only.
    await s.page.goto(`${s.base}/upstreams/echo-v1`);
    await s.page.getByTestId('role-read-only-banner').waitFor();
    expect(await s.page.getByRole('button', { name: 'Save' }).count()).toBe(0);

    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await editor.backendUpstream(0).selectOption('echo-v2');
    await editor.save();
    await editor.savedNotice.waitFor();
    await waitFor(async () => (await s.servedBy('/shop')) === 'v2', 15_000, 'editor change applied');

    await s.page.getByRole('link', { name: 'Audit' }).click();
    await s.page.getByLabel('Key name').fill('ops-editor');
    const row = s.page.locator('tr[data-key="ops-editor"][data-doc="routes/shop"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => row.locator('[data-change="added"]').textContent()).toContain('echo-v2');
    await s.shot('audit');
  });

  it('shows a viewer everything read-only: no create, save, delete or rollback', async () => {
    const login = loginPage(s.page);
    await login.signOut();
    await login.signIn(s.base, viewerKey);
    await login.whoami.getByText('viewer').waitFor();

    await s.page.goto(`${s.base}/routes`);
    await s.page.locator('tr[data-id="shop"]').waitFor();
    expect(await s.page.getByRole('link', { name: 'New route' }).count()).toBe(0);

    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await editor.roleReadOnlyBanner.waitFor();
    expect(await editor.pathValue(0).isDisabled()).toBe(true);
    for (const name of ['Save', 'Delete', 'Add plugin']) {
      const buttons = s.page.getByRole('button', { name });
      if ((await buttons.count()) > 0) expect(await buttons.first().isDisabled()).toBe(true);
    }
    expect(await s.page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await editor.history.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    await s.shot('viewer-read-only');
    // The API agrees: a viewer's write is refused.
    const res = await fetch(`${s.base}/api/v1/routes/shop`, { method: 'DELETE', headers: { 'x-api-key': viewerKey } });
    expect(res.status).toBe(403);
  });

  it('logged no console errors on any page', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
