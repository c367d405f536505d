import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SLUICE_VERSION } from '@sluice/model';
import { parsePrometheusText as series } from '../../../test/helpers/prometheus-text.js';
import { createWorkerMetrics } from './worker-metrics.js';

describe('worker metrics', () => {
  it('turns recordRequest calls into upstream response-time histograms and byte counters per route', async () => {
    const registry = new client.Registry();
    const metrics = createWorkerMetrics(registry);
    metrics.recordRequest('r1', 200, 12, 10, 300, 1200);
    metrics.recordRequest('r1', 200, 40, 35, 500, 64);
    metrics.recordRequest('r1', 401, 1); // answered by a plugin: no upstream, no byte counts
    metrics.recordRequest('quiet', 200, 3); // a caller that knows neither
    const m = series(await registry.metrics());
    expect(m.get('sluice_http_upstream_response_duration_seconds_count{route="r1"}')).toBe(2);
    expect(m.get('sluice_http_upstream_response_duration_seconds_sum{route="r1"}')).toBeCloseTo(0.045, 9);
    expect(m.get('sluice_http_upstream_response_duration_seconds_bucket{le="0.01",route="r1"}')).toBe(1);
    expect(m.get('sluice_http_upstream_response_duration_seconds_bucket{le="0.05",route="r1"}')).toBe(2);
    expect(m.get('sluice_http_upstream_response_duration_seconds_bucket{le="+Inf",route="r1"}')).toBe(2);
    expect(m.get('sluice_http_request_duration_seconds_count{route="r1"}')).toBe(3);
    expect(m.get('sluice_http_request_bytes_total{route="r1"}')).toBe(800);
    expect(m.get('sluice_http_response_bytes_total{route="r1"}')).toBe(1264);
    // Not measured is not zero: no series at all.
    expect([...m.keys()].some((k) => k.includes('route="quiet"') && /upstream|bytes/.test(k))).toBe(false);
    expect(m.get('sluice_http_requests_total{route="quiet",status="200"}')).toBe(1);
  });

  it('forgets the new series of deleted routes and sums them over workers', async () => {
    const [ra, rb] = [new client.Registry(), new client.Registry()];
    const [a, b] = [createWorkerMetrics(ra), createWorkerMetrics(rb)];
    a.recordRequest('r1', 200, 5, 4, 100, 200);
    b.recordRequest('r1', 200, 5, 4, 100, 200);
    b.recordRequest('gone', 200, 5, 4, 100, 200);
    b.retainRoutes(new Set(['r1']));
    const merged = client.AggregatorRegistry.aggregate([await ra.getMetricsAsJSON(), await rb.getMetricsAsJSON()] as never);
    const m = series(await merged.metrics());
    expect(m.get('sluice_http_upstream_response_duration_seconds_count{route="r1"}')).toBe(2);
    expect(m.get('sluice_http_request_bytes_total{route="r1"}')).toBe(200);
    expect(m.get('sluice_http_response_bytes_total{route="r1"}')).toBe(400);
    expect([...m.keys()].some((k) => k.includes('route="gone"'))).toBe(false);
  });

  it('exports process and runtime metrics and sluice_build_info', async () => {
    const registry = new client.Registry();
    createWorkerMetrics(registry);
    const m = series(await registry.metrics());
    expect(m.get(`sluice_build_info{version="${SLUICE_VERSION}",node_version="${process.version}",component="data-plane"}`)).toBe(1);
    expect(m.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect([...m.keys()].some((k) => k.startsWith('nodejs_eventloop_lag_seconds'))).toBe(true);
  });
});
