import client from 'prom-client';
import { SLUICE_VERSION } from '@sluice/model';

/**
 * prom-client's process and runtime metrics (CPU, memory, event-loop lag, GC, handles) and
 * `sluice_build_info{version, node_version, component} 1`, the series dashboards join on to
 * show what runs where.
 */
export function registerProcessMetrics(registry: client.Registry, component: string): void {
  client.collectDefaultMetrics({ register: registry });
  const buildInfo = new client.Gauge({
    name: 'sluice_build_info',
    help: 'Always 1; the labels say which Sluice version and Node.js release the process runs',
    labelNames: ['version', 'node_version', 'component'] as const,
    registers: [registry],
    aggregator: 'max',
  });
  buildInfo.set({ version: SLUICE_VERSION, node_version: process.version, component }, 1);
}
