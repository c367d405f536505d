import client from 'prom-client';
import { registerProcessMetrics } from './process-metrics.js';

/**
 * The control plane's Prometheus metrics, on its status port: the Kubernetes/manifest sync
 * (duration, etcd writes, translator warnings, failures, leadership), the admin API's requests,
 * process and runtime metrics, and `sluice_build_info`.
 */
export function createControlPlaneMetrics(registry = new client.Registry()) {
  registerProcessMetrics(registry, 'control-plane');
  const syncSeconds = new client.Histogram({
    name: 'sluice_control_plane_sync_duration_seconds',
    help: 'Time from a source snapshot to its documents in etcd: translation plus the etcd diff and writes (retries included)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const etcdWrites = new client.Counter({
    name: 'sluice_control_plane_etcd_writes_total',
    help: 'Documents the sync wrote to etcd, by operation (put, delete); unchanged documents are not written',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const warnings = new client.Gauge({
    name: 'sluice_control_plane_translation_warnings',
    help: 'Warnings of the last translation (objects or fields that could not be served as written)',
    registers: [registry],
  });
  const syncFailures = new client.Counter({
    name: 'sluice_control_plane_sync_failures_total',
    help: 'Snapshots whose sync failed (it is retried with the next snapshot)',
    registers: [registry],
  });
  const lastSync = new client.Gauge({
    name: 'sluice_control_plane_last_sync_timestamp_seconds',
    help: 'Unix time of the last completed sync',
    registers: [registry],
  });
  let isLeader: (() => boolean) | undefined;
  new client.Gauge({
    name: 'sluice_control_plane_leader',
    help: '1 while this replica writes etcd and statuses (holds the Lease, or is the only writer in manifest mode); absent without a sync',
    registers: [registry],
    collect() {
      if (isLeader) this.set(isLeader() ? 1 : 0);
    },
  });
  const adminRequests = new client.Counter({
    name: 'sluice_control_plane_admin_requests_total',
    help: 'Admin API requests, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const adminSeconds = new client.Histogram({
    name: 'sluice_control_plane_admin_request_duration_seconds',
    help: 'Admin API response time, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
    registers: [registry],
  });

  return {
    registry,
    /** One sync: how long it took, what it wrote, how many warnings the translation had. */
    synced(seconds: number, written: { put: number; deleted: number }, warningCount: number): void {
      syncSeconds.observe(seconds);
      etcdWrites.inc({ operation: 'put' }, written.put);
      etcdWrites.inc({ operation: 'delete' }, written.deleted);
      warnings.set(warningCount);
      lastSync.set(Date.now() / 1000);
    },
    syncFailed(): void {
      syncFailures.inc();
    },
    /** Leadership is read at scrape time. */
    watchLeadership(leader: () => boolean): void {
      isLeader = leader;
    },
    /** `route` is the route template (`/api/v1/routes/:id`), so ids do not become series. */
    adminRequest(method: string, route: string, status: number, seconds: number): void {
      adminRequests.inc({ method, route, status });
      adminSeconds.observe({ method, route }, seconds);
    },
  };
}

export type ControlPlaneMetrics = ReturnType<typeof createControlPlaneMetrics>;
