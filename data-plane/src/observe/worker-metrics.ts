import client from 'prom-client';

/** Latency buckets in seconds: fine-grained below 100 ms where a proxy lives. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type CounterChild = ReturnType<client.Counter<'route' | 'status'>['labels']>;
type HistogramChild = ReturnType<client.Histogram<'route'>['labels']>;

/** Per-route cache of labelled children, so the hot path does one Map lookup and no label hashing. */
interface RouteMetrics {
  byStatus: Map<number, CounterChild>;
  latency: HistogramChild;
}

/**
 * Metrics a worker exports. They live in the worker's default prom-client registry; the
 * primary aggregates all workers on the status port (prom-client AggregatorRegistry).
 */
export function createWorkerMetrics(registry: client.Registry = client.register) {
  const requests = new client.Counter({
    name: 'sluice_http_requests_total',
    help: 'HTTP requests by route and status ("" route = no route matched)',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'sluice_http_request_duration_seconds',
    help: 'Time from request to the end of the response, by route',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const configRevision = new client.Gauge({
    name: 'sluice_config_revision',
    help: 'etcd revision of the routing table this worker serves',
    registers: [registry],
    aggregator: 'min',
  });
  const configStale = new client.Gauge({
    name: 'sluice_config_stale',
    help: '1 while the worker serves a config it could not confirm with etcd (disk cache or lost connection)',
    registers: [registry],
    aggregator: 'max',
  });
  const documentsRejected = new client.Gauge({
    name: 'sluice_documents_rejected',
    help: 'Documents skipped because they are invalid or refer to something missing, in the current config',
    registers: [registry],
    aggregator: 'max',
  });
  const routes = new client.Gauge({
    name: 'sluice_routes',
    help: 'Routes in the current routing table',
    registers: [registry],
    aggregator: 'max',
  });
  const etcdConnected = new client.Gauge({
    name: 'sluice_etcd_connected',
    help: '1 when the worker has a live etcd watch',
    registers: [registry],
    aggregator: 'min',
  });
  const upstreamHealthy = new client.Gauge({
    name: 'sluice_upstream_node_healthy',
    help: '1 when the node is considered healthy by the checks',
    labelNames: ['upstream', 'node'] as const,
    registers: [registry],
    aggregator: 'min',
  });
  const compileSeconds = new client.Histogram({
    name: 'sluice_config_compile_seconds',
    help: 'Time to compile a routing table',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  const perRoute = new Map<string, RouteMetrics>();

  return {
    configRevision,
    configStale,
    documentsRejected,
    routes,
    etcdConnected,
    upstreamHealthy,
    compileSeconds,

    /** Called once per finished request on the hot path. */
    recordRequest(routeId: string | undefined, status: number, durationMs: number): void {
      const key = routeId ?? '';
      let m = perRoute.get(key);
      if (m === undefined) {
        m = { byStatus: new Map(), latency: latency.labels(key) };
        perRoute.set(key, m);
      }
      let c = m.byStatus.get(status);
      if (c === undefined) {
        c = requests.labels(key, String(status));
        m.byStatus.set(status, c);
      }
      c.inc();
      m.latency.observe(durationMs / 1000);
    },

    /** Forgets routes that no longer exist, so deleted routes do not grow the registry forever. */
    retainRoutes(live: ReadonlySet<string>): void {
      for (const key of perRoute.keys()) {
        if (key !== '' && !live.has(key)) {
          perRoute.delete(key);
          requests.remove({ route: key } as never);
          latency.remove(key);
        }
      }
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
