import type client from 'prom-client';

/** Latency buckets in seconds: fine-grained below 100 ms where a proxy lives. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Observations per bucket (not cumulative; the last slot is +Inf), their sum and count. */
interface Buckets {
  counts: Float64Array;
  sum: number;
  count: number;
}

interface RouteCounters {
  byStatus: Map<number, number>;
  latency: Buckets;
  /** Requests that reached an upstream. */
  upstream: Buckets;
  requestBytes: number;
  responseBytes: number;
}

const newBuckets = (): Buckets => ({ counts: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 });

function observe(b: Buckets, seconds: number): void {
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
  b.counts[i]++;
  b.sum += seconds;
  b.count++;
}

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * Requests, latency, upstream response time and bytes per route, counted with plain numbers on
 * the hot path and turned into Prometheus series only when scraped. prom-client's labelled
 * `inc`/`observe` hash and validate their labels on every call, which cost ~3 % of a proxied
 * request. Registered as metrics that prom-client's registries and the cluster aggregator read
 * through `get()`, like their own.
 */
export class RouteTraffic {
  private readonly routes = new Map<string, RouteCounters>();
  private readonly requestsHelp = 'HTTP requests by route and status ("" route = no route matched)';
  private readonly latencyHelp = 'Time from request to the end of the response, by route';
  private readonly upstreamHelp =
    'Time spent on the upstream, from connecting (or taking a pooled connection) to the last byte of its response, all attempts together, by route; requests answered without an upstream are not observed';
  private readonly requestBytesHelp = 'Request body bytes received from clients and proxied, by route';
  private readonly responseBytesHelp = 'Response body bytes from upstreams sent on to clients (before compression), by route';

  /**
   * One finished request. `upstreamSeconds` is left out when no upstream was reached (a plugin
   * answered, no route matched); byte counts are left out by callers that do not know them.
   */
  record(routeId: string, status: number, seconds: number, upstreamSeconds?: number, requestBytes?: number, responseBytes?: number): void {
    let r = this.routes.get(routeId);
    if (r === undefined) {
      r = { byStatus: new Map(), latency: newBuckets(), upstream: newBuckets(), requestBytes: 0, responseBytes: 0 };
      this.routes.set(routeId, r);
    }
    r.byStatus.set(status, (r.byStatus.get(status) ?? 0) + 1);
    observe(r.latency, seconds);
    if (upstreamSeconds !== undefined) observe(r.upstream, upstreamSeconds);
    if (requestBytes !== undefined) r.requestBytes += requestBytes;
    if (responseBytes !== undefined) r.responseBytes += responseBytes;
  }

  /** Forgets routes that no longer exist ('' = unmatched requests stays). */
  retain(live: ReadonlySet<string>): void {
    for (const id of this.routes.keys()) if (id !== '' && !live.has(id)) this.routes.delete(id);
  }

  register(registry: client.Registry): void {
    registry.registerMetric(this.requestsMetric() as unknown as client.Metric);
    registry.registerMetric(this.histogram('sluice_http_request_duration_seconds', this.latencyHelp, (r) => r.latency) as unknown as client.Metric);
    registry.registerMetric(this.histogram('sluice_http_upstream_response_duration_seconds', this.upstreamHelp, (r) => r.upstream) as unknown as client.Metric);
    registry.registerMetric(this.byteCounter('sluice_http_request_bytes_total', this.requestBytesHelp, (r) => r.requestBytes) as unknown as client.Metric);
    registry.registerMetric(this.byteCounter('sluice_http_response_bytes_total', this.responseBytesHelp, (r) => r.responseBytes) as unknown as client.Metric);
  }

  private requestsMetric() {
    const name = 'sluice_http_requests_total';
    return {
      name,
      help: this.requestsHelp,
      type: 'counter',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        for (const [route, r] of this.routes) for (const [status, n] of r.byStatus) values.push({ labels: { route, status }, value: n });
        return { name, help: this.requestsHelp, type: 'counter', values, aggregator: 'sum' };
      },
      reset: () => this.routes.clear(),
    };
  }

  private byteCounter(name: string, help: string, bytes: (r: RouteCounters) => number) {
    return {
      name,
      help,
      type: 'counter',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        // Every request has a request line and a status line, so 0 means "not measured": no series.
        for (const [route, r] of this.routes) if (bytes(r) > 0) values.push({ labels: { route }, value: bytes(r) });
        return { name, help, type: 'counter', values, aggregator: 'sum' };
      },
      reset: () => this.routes.clear(),
    };
  }

  private histogram(name: string, help: string, buckets: (r: RouteCounters) => Buckets) {
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        for (const [route, r] of this.routes) {
          const b = buckets(r);
          // A route whose requests never reached an upstream has no upstream series.
          if (b.count === 0) continue;
          let cumulative = 0;
          for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
            cumulative += b.counts[i];
            values.push({ labels: { le: LATENCY_BUCKETS[i], route }, value: cumulative, metricName: `${name}_bucket` });
          }
          values.push({ labels: { le: '+Inf', route }, value: b.count, metricName: `${name}_bucket` });
          values.push({ labels: { route }, value: b.sum, metricName: `${name}_sum` });
          values.push({ labels: { route }, value: b.count, metricName: `${name}_count` });
        }
        return { name, help, type: 'histogram', values, aggregator: 'sum' };
      },
      reset: () => this.routes.clear(),
    };
  }
}
