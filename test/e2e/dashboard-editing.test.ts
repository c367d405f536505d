// The dashboard in real headless Chromium against a real control plane, etcd, two data
// planes and echo upstreams: what is clicked in the forms must change real traffic, and the
// overview must show it applied on every data plane.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey } from '@sluice/model';
import { ADMIN_KEY, startDashboardStack, type DashboardStack } from '../../dashboard/e2e/fixture.js';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { overviewPage } from '../../dashboard/e2e/pom/overview.js';
import { routeEditor } from '../../dashboard/e2e/pom/route-editor.js';
import { waitFor } from '../helpers/ports.js';

let s: DashboardStack;

beforeAll(async () => {
  s = await startDashboardStack('dashboard-editing');
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

describe('dashboard: editing', () => {
  it('serves the app with security headers and refuses a wrong key', async () => {
    const res = await fetch(`${s.base}/routes`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    const login = loginPage(s.page);
    await login.signIn(s.base, 'not-the-key');
    await expect.poll(() => login.error.textContent()).toContain('X-API-Key header is missing or not valid');
    expect(await s.page.evaluate(() => sessionStorage.length)).toBe(0);
    await s.shot('login');
  });

  it('signs in and lists both data planes on the overview, live', async () => {
    await loginPage(s.page).signIn(s.base, ADMIN_KEY);
    const overview = overviewPage(s.page);
    await overview.dataplanes.waitFor();
    await loginPage(s.page).whoami.getByText('admin', { exact: true }).first().waitFor();
    // The data planes register themselves under a lease; a registration is pushed by /events.
    await expect.poll(() => overview.dataplaneRows.count(), { timeout: 15_000 }).toBe(2);
    await overview.liveState.getByText('live').waitFor();
    expect(s.page.url()).not.toContain(ADMIN_KEY);
    await s.shot('overview');
  });

  it('creates an upstream and a route through the forms, and traffic reaches the echo upstream', async () => {
    const { page, base } = s;
    await page.getByRole('link', { name: 'Upstreams', exact: true }).click();
    await page.getByRole('link', { name: 'New upstream' }).click();
    await page.locator('input[name="id"]').fill('echo-v1');
    await page.locator('input[name="name"]').fill('Echo v1');
    await page.getByLabel('Node 1 port').fill(String(s.echoes.v1.port));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Upstream echo-v1' }).waitFor();
    expect((await s.api('GET', '/upstreams/echo-v1')).body.nodes).toEqual([{ host: '127.0.0.1', port: s.echoes.v1.port }]);
    await page.getByRole('complementary', { name: 'Node health' }).waitFor();
    await s.shot('upstream-editor');

    const editor = routeEditor(page);
    await page.goto(`${base}/routes/new`);
    await editor.idInput.fill('shop');
    await page.locator('input[name="name"]').fill('Shop');
    await editor.pathValue(0).fill('/shop');
    await editor.addBackend();
    await editor.backendUpstream(0).selectOption('echo-v1');
    await editor.save();
    await page.getByRole('heading', { name: 'Route shop' }).waitFor();
    for (const dp of [0, 1]) await waitFor(async () => (await s.servedBy('/shop/cart', dp)) === 'v1', 15_000, `route live on data plane ${dp}`);
    expect(await s.servedBy('/shopping')).toBe('status 404');
    await s.shot('route-editor');
  });

  it('generates plugin forms from their schemas and shows a server validation error on its field', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    const card = await editor.addPlugin('limit-count');
    await card.waitFor();
    await editor.pluginField('limit-count', 'count').fill('0');
    await editor.pluginField('limit-count', 'timeWindow').fill('60');
    // An enum (a union of literals in the schema) becomes a select.
    expect(await s.page.locator('[data-path="/plugins/limit-count/policy"] select').count()).toBe(1);
    await editor.save();
    await expect.poll(() => editor.fieldError('/plugins/limit-count/count').textContent()).toMatch(/1/);
    expect(await editor.fieldError('/plugins/limit-count/timeWindow').count()).toBe(0);
    await s.shot('route-validation-error');
    // Nothing was written: the route still has no plugin.
    expect((await s.api('GET', '/routes/shop')).body.plugins).toBeUndefined();
  });

  it('opens a Kubernetes-owned route read-only, naming its owner', async () => {
    const client = new Etcd3({ hosts: s.etcd.endpoint });
    try {
      await client.put(documentKey(s.prefix, 'routes', 'k8s-web')).value(
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
    const { page } = s;
    await page.goto(`${s.base}/routes`);
    const row = page.locator('tr[data-id="k8s-web"]');
    await expect.poll(() => row.textContent()).toContain('Ingress default/web · read-only');
    expect(await page.locator('tr[data-id="shop"]').textContent()).toContain('admin');
    await s.shot('routes-list');

    await row.getByRole('link', { name: 'k8s-web' }).click();
    const editor = routeEditor(page);
    await editor.readOnlyBanner.waitFor();
    expect(await editor.readOnlyBanner.textContent()).toContain('Ingress default/web');
    expect(await editor.pathValue(0).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await editor.history.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
  });

  it('edits a route and sees it applied on every data plane, in the editor and on the overview', async () => {
    expect((await s.api('PUT', '/upstreams/echo-v2', { nodes: [{ host: '127.0.0.1', port: s.echoes.v2.port }] })).status).toBe(201);
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await editor.backendUpstream(0).selectOption('echo-v2');
    await editor.save();
    await editor.savedNotice.waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 2/2 data planes.');
    // The write waited for the data planes: both serve the edit already.
    expect(await s.servedBy('/shop', 0)).toBe('v2');
    expect(await s.servedBy('/shop', 1)).toBe('v2');
    const modRevision = (await s.api('GET', '/routes/shop/applied')).body.modRevision as number;

    const overview = overviewPage(s.page);
    await s.page.getByRole('link', { name: 'Overview' }).click();
    await overview.allApplied.waitFor().catch(async (err) => {
      throw new Error(
        `${(err as Error).message}\nlatest ${await overview.latestRevision.textContent()}, rows: ${(await overview.dataplaneRows.allTextContents()).join(' | ')}`,
      );
    });
    const applied = await overview.dataplaneRows.locator('[data-testid="applied-revision"]').allTextContents();
    expect(applied).toHaveLength(2);
    for (const text of applied) expect(Number.parseInt(text, 10)).toBeGreaterThanOrEqual(modRevision);
    // Traffic per route, from the data planes' metrics: the requests this file sent.
    const traffic = overview.routeTraffic('shop');
    await traffic.waitFor();
    expect(Number(await traffic.locator('td').nth(1).textContent())).toBeGreaterThan(0);
    await s.shot('overview-applied');
  });

  it('shows the edit in the history with a diff, and rollback restores the old behaviour', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    // Earlier versions only (the current one is not a rollback target): the one the form created.
    await expect.poll(() => editor.historyEntries.count()).toBe(1);
    // The comparison opens under the form, where it has the page's width.
    const diff = await editor.openDiff();
    await expect.poll(() => diff.locator('[data-change="removed"]').textContent()).toContain('echo-v2');
    expect(await diff.locator('[data-change="added"]').textContent()).toContain('echo-v1');
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await s.shot('route-history');

    await editor.rollBack();
    await s.page.getByText(/^Rolled back to the version of revision \d+\.$/).waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 2/2 data planes.');
    for (const dp of [0, 1]) await waitFor(async () => (await s.servedBy('/shop', dp)) === 'v1', 15_000, `rollback applied on data plane ${dp}`);
    expect(await editor.backendUpstream(0).inputValue()).toBe('echo-v1');
    expect((await s.api('GET', '/routes/shop')).body.backends).toEqual([{ upstreamId: 'echo-v1' }]);
  });

  it('lists a document the data planes reject on the overview, and drops it once fixed', async () => {
    // Written around the admin API (which would refuse it): a route to an upstream that does not exist.
    const client = new Etcd3({ hosts: s.etcd.endpoint });
    const key = documentKey(s.prefix, 'routes', 'broken');
    try {
      await client
        .put(key)
        .value(JSON.stringify({ id: 'broken', match: { paths: [{ type: 'prefix', value: '/broken' }] }, backends: [{ upstreamId: 'missing' }] }));
      await s.page.getByRole('link', { name: 'Overview' }).click();
      const rejected = s.page.getByRole('list', { name: 'Rejected documents' });
      await expect.poll(() => rejected.textContent(), { timeout: 15_000 }).toContain('routes/broken');
      await client.delete().key(key);
      await expect.poll(() => rejected.count(), { timeout: 15_000 }).toBe(0);
    } finally {
      client.close();
    }
  });

  it('logged no console errors on any page', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
