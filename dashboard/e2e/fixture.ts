// One real stack for a dashboard e2e file: etcd, `gateway control-plane` serving the built
// app, two `gateway data-plane` processes, echo upstreams, and headless Debian Chromium
// (playwright-core, never a downloaded browser). Each test file starts its own and stops it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { adminClient } from '../../test/helpers/admin-client.js';
import { startEtcd, type TestEtcd } from '../../test/helpers/etcd.js';
import { startGateway, type GatewayProcess } from '../../test/helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../../test/helpers/upstreams.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The screenshots in docs/dashboard are documentation: a test run only rewrites them when
// asked (UPDATE_SCREENSHOTS=1), so `npm test` leaves the checkout clean. Otherwise they still
// get taken (the step must not throw) but land in a temp dir.
export const screenshotsDir =
  process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs/dashboard') : path.join(os.tmpdir(), 'sluice-dashboard-screenshots');
export const ADMIN_KEY = 'test-key';

export interface DashboardStack {
  etcd: TestEtcd;
  prefix: string;
  cp: GatewayProcess;
  dataplanes: GatewayProcess[];
  echoes: { v1: EchoServer; v2: EchoServer };
  base: string;
  page: Page;
  context: BrowserContext;
  api: ReturnType<typeof adminClient>;
  /** Errors the page logged or threw; the tests end by asserting it is empty. */
  consoleErrors: string[];
  /** Which echo upstream answered GET <path> through a data plane (or the status when none did). */
  servedBy(urlPath: string, dataplane?: number): Promise<string>;
  shot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDashboardStack(name: string, { dataplaneCount = 2 } = {}): Promise<DashboardStack> {
  if (!fs.existsSync(path.join(repoRoot, 'dashboard/dist/index.html'))) {
    throw new Error('dashboard/dist is missing: run `npm run build -w dashboard` first');
  }
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const etcd = await startEtcd();
  const prefix = etcd.prefix(name);
  const started: GatewayProcess[] = [];
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  const [v1, v2] = await Promise.all([startHttpEcho('v1'), startHttpEcho('v2')]);
  const stop = async () => {
    await context?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all([v1.close(), v2.close()]);
    await etcd.stop();
  };
  try {
    const starting = [
      startGateway('control-plane', { etcd: etcd.endpoint, prefix, 'admin-key': ADMIN_KEY }),
      ...Array.from({ length: dataplaneCount }, () => startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 })),
    ];
    const results = await Promise.allSettled(starting);
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [cp, ...dataplanes] = started;
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context.setDefaultTimeout(30_000); // a loaded CI machine; a healthy run needs well under 1 s per step
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    // A refused key or a rejected save is logged by Chromium as a failed resource load: that
    // is the API answering, not the app failing. Anything else (CSP violations included) is a bug.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    const base = `http://127.0.0.1:${cp.ports.admin}`;
    return {
      etcd,
      prefix,
      cp,
      dataplanes,
      echoes: { v1, v2 },
      base,
      page,
      context,
      api: adminClient(() => cp.ports.admin, ADMIN_KEY),
      consoleErrors,
      async servedBy(urlPath, dataplane = 0) {
        const res = await fetch(`http://127.0.0.1:${dataplanes[dataplane].ports.http}${urlPath}`);
        await res.arrayBuffer();
        return res.headers.get('x-upstream') ?? `status ${res.status}`;
      },
      async shot(file) {
        await page.screenshot({ path: path.join(screenshotsDir, `${file}.png`), fullPage: true });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
