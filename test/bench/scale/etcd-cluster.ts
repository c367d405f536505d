import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '../../helpers/ports.js';
import { processCpu } from '../lib/process-cpu.js';
import type { BenchProcess, ProcessRegistry } from '../lib/process-registry.js';
import { rssBytes } from './process-memory.js';

/** One etcd member's figures: watchers from its /metrics, CPU and memory from /proc. */
export interface EtcdProcessFigures {
  /** Watchers this member's MVCC store holds (each client watch it serves). */
  watchers: number;
  watchStreams: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** The grpc-proxy's own figures (its /metrics answers etcd's, so CPU and memory come from /proc). */
export interface GrpcProxyFigures {
  /** Client watchers the proxy serves, coalesced onto fewer etcd watchers. */
  coalescingWatchers: number;
  cpuSeconds: number;
  rssBytes: number;
}

export interface EtcdCluster {
  /** Client URLs of the members, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  members: BenchProcess[];
  /** Figures of every member, in member order. */
  figures(): Promise<EtcdProcessFigures[]>;
  /** Starts `etcd grpc-proxy` in front of the members; resolves with its client URL. */
  startGrpcProxy(): Promise<{ endpoint: string; proc: BenchProcess; figures(): Promise<GrpcProxyFigures> }>;
}

/** A loopback etcd cluster of `size` members (Debian's etcd-server), its data under `workDir`. */
export async function startEtcdCluster(registry: ProcessRegistry, workDir: string, size = 3): Promise<EtcdCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), peer: await freePort() })));
  const names = ports.map((_, i) => `m${i}`);
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[i]!.peer}`).join(',');
  const endpoints = ports.map((p) => `http://127.0.0.1:${p.client}`);
  const members = names.map((name, i) => {
    const dataDir = path.join(workDir, `etcd-${name}`);
    fs.mkdirSync(dataDir, { recursive: true });
    const args = [
      '--name',
      name,
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      endpoints[i]!,
      '--advertise-client-urls',
      endpoints[i]!,
      '--listen-peer-urls',
      `http://127.0.0.1:${ports[i]!.peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${ports[i]!.peer}`,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      'sluice-scale-bench',
      // 121k documents with 1,000 certificates are ~200 MB of values; the default quota is 2 GB.
      '--quota-backend-bytes',
      String(8 * 1024 ** 3),
      '--log-level',
      'error',
      '--logger',
      'zap',
    ];
    return registry.spawn(`etcd ${name}`, 'etcd', args, { env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' } });
  });
  await waitFor(
    async () => (await Promise.all(endpoints.map(async (e) => (await fetch(`${e}/health`)).ok))).every(Boolean),
    30_000,
    'every etcd member healthy',
  );

  return {
    endpoints,
    members,
    figures: () =>
      Promise.all(
        endpoints.map(async (e, i) => {
          const metrics = await metricsOf(e);
          const pid = members[i]!.pid;
          return {
            watchers: metrics('etcd_debugging_mvcc_watcher_total'),
            watchStreams: metrics('etcd_debugging_mvcc_watch_stream_total'),
            cpuSeconds: processCpu(pid) / 1e6,
            rssBytes: rssBytes(pid),
          };
        }),
      ),
    async startGrpcProxy() {
      const port = await freePort();
      const endpoint = `http://127.0.0.1:${port}`;
      const proc = registry.spawn('etcd grpc-proxy', 'etcd', [
        'grpc-proxy',
        'start',
        '--endpoints',
        endpoints.map((e) => e.replace('http://', '')).join(','),
        '--listen-addr',
        `127.0.0.1:${port}`,
        '--data-dir',
        path.join(workDir, 'etcd-grpc-proxy'),
        // As the deploy overlay does (etcd 3.5 enforces its 1.5 MiB default; 3.4 does not).
        '--max-send-bytes',
        String(64 * 1024 * 1024),
      ]);
      await waitFor(async () => (await fetch(`${endpoint}/health`)).ok, 20_000, 'etcd grpc-proxy healthy');
      const figures = async (): Promise<GrpcProxyFigures> => ({
        coalescingWatchers: (await metricsOf(endpoint))('etcd_grpc_proxy_watchers_coalescing_total'),
        cpuSeconds: processCpu(proc.pid) / 1e6,
        rssBytes: rssBytes(proc.pid),
      });
      return { endpoint, proc, figures };
    },
  };
}

/** A reader of one gauge or counter of a Prometheus endpoint (NaN when absent). */
async function metricsOf(endpoint: string): Promise<(name: string) => number> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  return (name) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
}
