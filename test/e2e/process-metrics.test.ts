// Metric names scraped from live processes: `gateway control-plane` (with a manifest folder, so
// the sync runs) on its --status-port, and `gateway data-plane` on its own: process and runtime
// metrics and sluice_build_info in both, the control plane's sync, etcd write, warning, leader
// and admin request series, the data plane primary's own process metrics.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho } from '../helpers/upstreams.js';
import { ingressClass, shopIngress, shopService, shopSlice } from './ingress-fixtures.js';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dp: GatewayProcess;
let manifests: string;
let prefix: string;

/** `name{labels}` → value of a live process's /metrics. */
const scrape = async (port: number) => parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
const names = (m: Map<string, number>) => new Set([...m.keys()].map((k) => k.replace(/\{.*$/, '')));

beforeAll(async () => {
  etcd = await startEtcd();
  manifests = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-metrics-'));
  // The Ingress names a missing Service port too, so the translation has a warning to count.
  const broken = {
    ...shopIngress,
    metadata: { name: 'broken', namespace: 'default' },
    spec: {
      ...shopIngress.spec,
      rules: [{ http: { paths: [{ path: '/broken', pathType: 'Prefix', backend: { service: { name: 'nowhere', port: { number: 80 } } } }] } }],
    },
  };
  fs.writeFileSync(
    path.join(manifests, 'shop.yaml'),
    [ingressClass, shopIngress, shopService, shopSlice(8080), broken].map((o) => YAML.stringify(o)).join('---\n'),
  );
  prefix = etcd.prefix('metrics');
  [cp, dp] = await Promise.all([
    startGateway('control-plane', { etcd: etcd.endpoint, prefix, manifests }),
    startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 }),
  ]);
});

afterAll(async () => {
  await Promise.all([cp?.stop(), dp?.stop()]);
  await etcd?.stop();
  if (manifests) fs.rmSync(manifests, { recursive: true, force: true });
});

describe('metrics of live processes', () => {
  it('control plane: health, readiness, sync, etcd writes, warnings, leadership, admin requests', async () => {
    const port = cp.ports.controlPlaneStatus!;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${cp.ports.admin}/api/v1/routes`, { headers: { 'x-api-key': 'test-key' } })).status).toBe(200);
    let m = await scrape(port);
    await waitFor(async () => ((m = await scrape(port)).get('sluice_control_plane_sync_duration_seconds_count') ?? 0) >= 1, 10_000, 'a sync');
    expect(m.get('sluice_control_plane_etcd_writes_total{operation="put"}')).toBeGreaterThanOrEqual(2);
    expect(m.get('sluice_control_plane_translation_warnings')).toBeGreaterThanOrEqual(1);
    expect(m.get('sluice_control_plane_leader')).toBe(1);
    expect(m.get('sluice_control_plane_last_sync_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(m.get('sluice_control_plane_admin_requests_total{method="GET",route="/api/v1/routes",status="200"}')).toBeGreaterThanOrEqual(1);
    expect([...m.keys()].some((k) => k.startsWith('sluice_build_info{') && k.includes('component="control-plane"'))).toBe(true);
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'sluice_control_plane_sync_failures_total',
    ]) {
      expect(names(m), name).toContain(name);
    }
  });

  it("data plane: build info and runtime metrics of the workers, and the primary's own", async () => {
    await (await fetch(`http://127.0.0.1:${dp.ports.http}/nothing-here`)).arrayBuffer();
    const m = await scrape(dp.ports.status!);
    expect([...m.entries()].find(([k]) => k.startsWith('sluice_build_info{') && k.includes('component="data-plane"'))?.[1]).toBe(1);
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'sluice_primary_process_cpu_seconds_total',
      'sluice_primary_process_resident_memory_bytes',
      'sluice_http_requests_total',
    ]) {
      expect(names(m), name).toContain(name);
    }
  });

  it('data plane: upstream time and body bytes of a proxied request, per route', async () => {
    const echo = await startHttpEcho('metered');
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put(`${prefix}/routes/metered`).value(
        JSON.stringify({
          id: 'metered',
          match: { paths: [{ type: 'prefix', value: '/metered' }] },
          upstream: { nodes: [{ host: '127.0.0.1', port: echo.port, weight: 1 }] },
        }),
      );
      await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/metered`)).status === 200, 10_000, 'the metered route');
      const res = await fetch(`http://127.0.0.1:${dp.ports.http}/metered/upload`, { method: 'POST', body: 'x'.repeat(1000) });
      const answer = Buffer.from(await res.arrayBuffer());
      const m = await scrape(dp.ports.status!);
      expect(m.get('sluice_http_upstream_response_duration_seconds_count{route="metered"}')).toBeGreaterThanOrEqual(2);
      expect(m.get('sluice_http_request_bytes_total{route="metered"}')).toBeGreaterThanOrEqual(1000);
      expect(m.get('sluice_http_response_bytes_total{route="metered"}')).toBeGreaterThanOrEqual(answer.length);
    } finally {
      client.close();
      await echo.close();
    }
  });
});
