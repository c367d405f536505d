import client from 'prom-client';
import { CertificateExpiry } from './certificate-expiry.js';
import { registerProcessMetrics } from './process-metrics.js';
import { RouteTraffic } from './route-traffic.js';
import { StreamTraffic } from './stream-traffic.js';

/**
 * A worker's metrics. The primary serves them summed over its workers (prom-client's cluster
 * aggregator), the process and runtime metrics (`process_*`, `nodejs_*`) included, so those
 * describe the workers together; the primary's own are `sluice_primary_process_*`.
 */
export function createWorkerMetrics(registry: client.Registry = client.register) {
  registerProcessMetrics(registry, 'data-plane');
  const traffic = new RouteTraffic();
  traffic.register(registry);
  const streamTraffic = new StreamTraffic();
  streamTraffic.register(registry);
  const certificateExpiry = new CertificateExpiry();
  certificateExpiry.register(registry);
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

  return {
    configRevision,
    configStale,
    documentsRejected,
    routes,
    etcdConnected,
    upstreamHealthy,
    compileSeconds,
    /** Per stream route counters, handed to the stream listeners. */
    streamTraffic,
    /** Expiry of every ssl document's certificate, updated on each table swap. */
    certificateExpiry,

    /**
     * Called once per finished request on the hot path. `upstreamMs`: time spent on the upstream
     * (connect to the last response byte, all attempts), left out when none was reached;
     * `requestBytes` / `responseBytes`: bytes received from and sent to the client, head included.
     */
    recordRequest(routeId: string | undefined, status: number, durationMs: number, upstreamMs?: number, requestBytes?: number, responseBytes?: number): void {
      traffic.record(routeId ?? '', status, durationMs / 1000, upstreamMs === undefined ? undefined : upstreamMs / 1000, requestBytes, responseBytes);
    },

    /** Forgets routes that no longer exist, so deleted routes do not grow the registry forever. */
    retainRoutes(live: ReadonlySet<string>, liveStreamRoutes: ReadonlySet<string> = new Set()): void {
      traffic.retain(live);
      streamTraffic.retain(liveStreamRoutes);
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
