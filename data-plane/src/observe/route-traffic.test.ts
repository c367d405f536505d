import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RouteTraffic } from './route-traffic.js';

describe('RouteTraffic', () => {
  it('exposes requests per route and status and a cumulative latency histogram', async () => {
    const registry = new client.Registry();
    const traffic = new RouteTraffic();
    traffic.register(registry);
    traffic.record('r1', 200, 0.0004);
    traffic.record('r1', 200, 0.003);
    traffic.record('r1', 502, 40);
    traffic.record('', 404, 0.0001);
    const text = await registry.metrics();
    expect(text).toContain('sluice_http_requests_total{route="r1",status="200"} 2');
    expect(text).toContain('sluice_http_requests_total{route="r1",status="502"} 1');
    expect(text).toContain('sluice_http_requests_total{route="",status="404"} 1');
    expect(text).toContain('sluice_http_request_duration_seconds_bucket{le="0.0005",route="r1"} 1');
    expect(text).toContain('sluice_http_request_duration_seconds_bucket{le="0.005",route="r1"} 2');
    expect(text).toContain('sluice_http_request_duration_seconds_bucket{le="30",route="r1"} 2');
    expect(text).toContain('sluice_http_request_duration_seconds_bucket{le="+Inf",route="r1"} 3');
    expect(text).toContain('sluice_http_request_duration_seconds_count{route="r1"} 3');
    expect(text).toMatch(/# TYPE sluice_http_request_duration_seconds histogram/);
  });

  it('sums workers through the cluster aggregator and forgets deleted routes', async () => {
    const a = new RouteTraffic();
    const b = new RouteTraffic();
    const ra = new client.Registry();
    const rb = new client.Registry();
    a.register(ra);
    b.register(rb);
    a.record('r1', 200, 0.001);
    b.record('r1', 200, 0.001);
    b.record('gone', 200, 0.001);
    b.retain(new Set(['r1']));
    const merged = client.AggregatorRegistry.aggregate([await ra.getMetricsAsJSON(), await rb.getMetricsAsJSON()] as never);
    const text = await merged.metrics();
    expect(text).toContain('sluice_http_requests_total{route="r1",status="200"} 2');
    expect(text).not.toContain('route="gone"');
  });
});
