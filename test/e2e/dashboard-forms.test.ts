// The forms a first-time user needs (issue 17), in real Chromium against a real control plane,
// etcd and data plane: each is filled in, saved, and checked by the traffic it changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDashboardStack, type DashboardStack } from '../../dashboard/e2e/fixture.js';
import { documentEditor } from '../../dashboard/e2e/pom/document-editor.js';
import { loginPage } from '../../dashboard/e2e/pom/login.js';
import { routeEditor } from '../../dashboard/e2e/pom/route-editor.js';
import { freePort, waitFor } from '../helpers/ports.js';

let s: DashboardStack;

/** GET through the data plane; the echo upstream answers with the request it received. */
async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`http://127.0.0.1:${s.dataplanes[0].ports.http}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Fills the generated input of the field at `pointer`. */
const field = (pointer: string) => s.page.locator(`[data-path="${pointer}"]`).locator('input, select, textarea').first();

beforeAll(async () => {
  s = await startDashboardStack('dashboard-forms', { dataplaneCount: 1 });
  expect((await s.api('PUT', '/upstreams/echo-v1', { nodes: [{ host: '127.0.0.1', port: s.echoes.v1.port }] })).status).toBe(201);
  expect((await s.api('PUT', '/routes/shop', { match: { paths: [{ type: 'prefix', value: '/shop' }] }, backends: [{ upstreamId: 'echo-v1' }] })).status).toBe(
    201,
  );
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

describe('dashboard: forms', () => {
  it('builds an upstream with retries, timeouts and an active health check; a dead node gets no traffic', async () => {
    await loginPage(s.page).signIn(s.base, ADMIN_KEY);
    await loginPage(s.page).whoami.waitFor();
    const { page } = s;
    const dead = await freePort();
    await page.goto(`${s.base}/upstreams/new`);
    await page.locator('input[name="id"]').fill('checked');
    await page.getByLabel('Node 1 port').fill(String(dead));
    await page.getByRole('button', { name: 'Add node' }).click();
    await page.getByLabel('Node 2 port').fill(String(s.echoes.v1.port));
    const schemes = await page.locator('select[name="scheme"] option').allTextContents();
    expect(schemes).toEqual(expect.arrayContaining(['http', 'https', 'h2c', 'h2', 'grpc', 'grpcs']));
    await field('/retries').fill('1');
    await field('/timeout/connect').fill('2');
    await field('/checks/active/httpPath').fill('/health');
    await field('/checks/active/healthy/interval').fill('1');
    await field('/checks/active/unhealthy/interval').fill('1');
    await field('/checks/active/unhealthy/tcpFailures').fill('1');
    await field('/checks/passive/failures').fill('1');
    await documentEditor(page).save();
    await page.getByRole('heading', { name: 'Upstream checked' }).waitFor();
    expect((await s.api('GET', '/upstreams/checked')).body).toMatchObject({
      retries: 1,
      timeout: { connect: 2 },
      checks: { active: { httpPath: '/health', healthy: { interval: 1 }, unhealthy: { interval: 1, tcpFailures: 1 } }, passive: { failures: 1 } },
    });
    expect(
      (
        await s.api('PUT', '/routes/checked?wait=applied&timeout=10s', {
          match: { paths: [{ type: 'prefix', value: '/checked' }] },
          backends: [{ upstreamId: 'checked' }],
        })
      ).status,
    ).toBe(201);
    // The probe marks the dead node down; meanwhile a retry covers it: every request is answered.
    for (let i = 0; i < 6; i++) expect((await get(`/checked/${i}`)).status).toBe(200);
    // Health is read when asked (Refresh) or when a data plane reports, not pushed per probe.
    const healthPanel = page.getByRole('complementary', { name: 'Node health' });
    await waitFor(
      async () => {
        await healthPanel.getByRole('button', { name: 'Refresh' }).click();
        return (await healthPanel.locator(`[data-node="127.0.0.1:${dead}"]`).textContent())?.includes('unhealthy') ?? false;
      },
      15_000,
      'the dead node shown unhealthy',
    );
    expect(await healthPanel.locator(`[data-node="127.0.0.1:${s.echoes.v1.port}"]`).textContent()).toContain('healthy');
    await s.shot('upstream-health-checks');
  });

  it('creates a consumer with a key-auth credential in a password field; the key it stores opens the route', async () => {
    const { page } = s;
    await page.goto(`${s.base}/consumers/new`);
    await page.locator('input[name="username"]').fill('bob');
    await page.getByLabel('Plugin to add').selectOption('key-auth');
    await page.getByRole('button', { name: 'Add plugin' }).click();
    const key = field('/plugins/key-auth/key');
    expect(await key.getAttribute('type')).toBe('password');
    await key.fill('bob-key-123');
    await documentEditor(page).save();
    await page.getByRole('heading', { name: 'Consumer bob' }).waitFor();
    expect(
      (
        await s.api('PUT', '/routes/keyed?wait=applied&timeout=10s', {
          match: { paths: [{ type: 'prefix', value: '/keyed' }] },
          backends: [{ upstreamId: 'echo-v1' }],
          plugins: { 'key-auth': {} },
        })
      ).status,
    ).toBe(201);
    expect((await get('/keyed', { apikey: 'bob-key-123' })).status).toBe(200);
    expect((await get('/keyed', { apikey: 'wrong' })).status).toBe(401);
    expect((await get('/keyed')).status).toBe(401);

    // Opened again, the key is a stored secret: saving other changes keeps it.
    await page.reload();
    await page.getByRole('heading', { name: 'Consumer bob' }).waitFor();
    expect(await field('/plugins/key-auth/key').inputValue()).toBe('');
    await s.shot('consumer-editor');
    await page.locator('input[name="desc"]').fill('partner');
    await documentEditor(page).save();
    await documentEditor(page).savedNotice.waitFor();
    await waitFor(async () => (await s.api('GET', '/consumers/bob')).body.desc === 'partner', 5000, 'consumer saved');
    expect((await get('/keyed', { apikey: 'bob-key-123' })).status).toBe(200);
  });

  it('edits a plugin config and a global rule with the plugin forms, and the traffic shows both', async () => {
    const { page } = s;
    await page.goto(`${s.base}/plugin-configs/new`);
    await page.locator('input[name="id"]').fill('shop-cors');
    await page.getByLabel('Plugin to add').selectOption('cors');
    await page.getByRole('button', { name: 'Add plugin' }).click();
    await field('/plugins/cors/allowOrigins').fill('https://shop.example');
    await documentEditor(page).save();
    await page.getByRole('heading', { name: 'Plugin config shop-cors' }).waitFor();
    await s.shot('plugin-config-editor');

    const editor = routeEditor(page);
    await editor.open(s.base, 'shop');
    await page.locator('select[name="pluginConfigId"]').selectOption('shop-cors');
    await editor.save();
    await editor.savedNotice.waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 1/1 data planes.');
    expect((await get('/shop', { origin: 'https://shop.example' })).headers.get('access-control-allow-origin')).toBe('https://shop.example');

    await page.goto(`${s.base}/global-rules/new`);
    await page.locator('input[name="id"]').fill('trace');
    await page.getByLabel('Plugin to add').selectOption('request-id');
    await page.getByRole('button', { name: 'Add plugin' }).click();
    await field('/plugins/request-id/headerName').fill('X-Trace-Id');
    await documentEditor(page).save();
    await page.getByRole('heading', { name: 'Global rule trace' }).waitFor();
    await expect.poll(() => documentEditor(page).appliedSummary.textContent()).toBe('Applied on 1/1 data planes.');
    const traced = await get('/shop');
    expect(traced.headers.get('x-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(traced.body.headers['x-trace-id']).toBe(traced.headers.get('x-trace-id'));
  });

  it('blocks Save on invalid JSON in a plugin field, naming the field; fixed, it is saved and reaches the upstream', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await editor.addPlugin('proxy-rewrite');
    const setBox = s.page.locator('[data-path="/plugins/proxy-rewrite/headers/set"] textarea');
    await setBox.fill('{"X-Tenant": ');
    await editor.save();
    await expect.poll(() => editor.fieldError('/plugins/proxy-rewrite/headers/set').textContent()).toMatch(/JSON/);
    await s.page.getByTestId('save-error').waitFor();
    expect((await s.api('GET', '/routes/shop')).body.plugins).toBeUndefined();

    await setBox.fill('{"X-Tenant": "acme"}');
    await editor.save();
    await editor.savedNotice.waitFor();
    await expect.poll(() => editor.appliedSummary.textContent()).toBe('Applied on 1/1 data planes.');
    expect((await s.api('GET', '/routes/shop')).body.plugins['proxy-rewrite']).toEqual({ headers: { set: { 'X-Tenant': 'acme' } } });
    expect((await get('/shop')).body.headers['x-tenant']).toBe('acme');
  });

  it('refuses an invalid host name before saving', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    await s.page.locator('input[name="hosts"]').fill('shop.example.com, bad_host!');
    await editor.save();
    await expect.poll(() => editor.fieldError('/match/hosts').textContent()).toContain('bad_host!');
    expect((await s.api('GET', '/routes/shop')).body.match.hosts).toBeUndefined();
  });

  it('adds a backend with no upstream chosen, and saving without one names the field', async () => {
    const editor = routeEditor(s.page);
    await s.page.goto(`${s.base}/routes/new`);
    await editor.idInput.fill('picky');
    await editor.addBackend();
    expect(await editor.backendUpstream(0).inputValue()).toBe('');
    await editor.save();
    await expect.poll(() => editor.fieldError('/backends/0/upstreamId').textContent()).toMatch(/choose/i);
    expect((await s.api('GET', '/routes/picky')).status).toBe(404);
  });

  it('shows plugin descriptions as formatted text, not raw Markdown', async () => {
    const editor = routeEditor(s.page);
    await editor.open(s.base, 'shop');
    const card = await editor.addPlugin('jwt-auth');
    const description = card.locator('.plugin-description');
    await description.waitFor();
    expect(await description.locator('code').count()).toBeGreaterThan(0);
    expect(await description.textContent()).not.toContain('`');
  });

  it('logged no console errors on any page', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
