import { setTimeout as delay } from 'node:timers/promises';
import { collectionPrefix } from '@sluice/model';
import type { Etcd3 } from 'etcd3';
import { Client } from 'undici';
import type { BenchOptions } from '../lib/bench-options.js';
import { exactRoute, prefixRoute, putDocument } from '../lib/bench-documents.js';
import type { Log, SectionReport } from '../lib/bench-report.js';
import { formatNumber, markdownTable, oneLine } from '../lib/markdown-table.js';
import { processTree } from '../lib/process-cpu.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { connectionsPerProcess } from '../lib/socket-owners.js';
import { startSluiceControlPlane, startSluiceDataPlane, type SluiceControlPlane, type SluiceDataPlane } from '../lib/sluice-processes.js';
import { median, percentile } from '../lib/stats.js';

const CONNECTIONS = 8;
const WORKERS = 2;
const ADMIN_KEY = 'benchkey';
/** An update not visible on every connection by then counts as lost (and as this latency). */
const UPDATE_TIMEOUT_MS = 5000;
const TARGET_P99_MS = 100;

export interface PropagationContext {
  registry: ProcessRegistry;
  etcd: Etcd3;
  etcdEndpoint: string;
  prefix: string;
  /** The upstream document every bench route points to (already in etcd). */
  upstreamId: string;
  /** The data plane's private local state (config cache). */
  dataDir: string;
}

/** GETs `path` on one kept-alive connection until it answers 200 or the deadline passes. */
async function pollUntilServed(client: Client, path: string, deadline: number): Promise<boolean> {
  for (;;) {
    const { statusCode, body } = await client.request({ path, method: 'GET' });
    await body.dump();
    if (statusCode === 200) return true;
    if (performance.now() > deadline) return false;
    await delay(1);
  }
}

/** Opens the connections one after another, so the cluster primary deals them round-robin to the workers. */
async function openConnections(origin: string, path: string): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
    clients.push(client);
    const { statusCode, body } = await client.request({ path, method: 'GET' });
    await body.dump();
    if (statusCode !== 200) throw new Error(`warm-up request ${i} answered ${statusCode}`);
  }
  return clients;
}

/**
 * Config propagation: for each update, PUT a route with a new exact path through the admin API
 * (or straight into etcd when the admin API is not available) and time until all 8 kept-alive
 * connections, spread over both workers, are served by it.
 */
export async function measureConfigPropagation(ctx: PropagationContext, options: BenchOptions, log: Log): Promise<SectionReport> {
  const title = `### (c) Config propagation: admin PUT → route served on all ${CONNECTIONS} connections (${WORKERS} workers, not pinned)`;
  const na = (why: string): SectionReport => ({
    markdown: `${title}\n\nnot run: ${why}`,
    targets: [{ target: `Config propagation p99 < ${TARGET_P99_MS} ms`, result: 'not measured', status: 'N/A' }],
  });

  // A clean route set: no catch-all, so a new path answers 404 until its route is live.
  await ctx.etcd.delete().prefix(collectionPrefix(ctx.prefix, 'routes'));
  await putDocument(ctx.etcd, ctx.prefix, 'routes', prefixRoute('warm', '/warm', ctx.upstreamId));

  let dataPlane: SluiceDataPlane;
  try {
    log(`Config propagation: starting the data plane with ${WORKERS} workers`);
    dataPlane = await startSluiceDataPlane(ctx.registry, {
      etcd: ctx.etcdEndpoint,
      prefix: ctx.prefix,
      workers: WORKERS,
      readyPath: '/warm',
      dataDir: ctx.dataDir,
    });
  } catch (err) {
    return na(`the data plane did not start: ${oneLine((err as Error).message, 600)}`);
  }

  let admin: SluiceControlPlane | undefined;
  let via = 'admin API (`PUT /api/v1/routes/<id>`)';
  try {
    admin = await startSluiceControlPlane(ctx.registry, { etcd: ctx.etcdEndpoint, prefix: ctx.prefix, adminKey: ADMIN_KEY });
  } catch (err) {
    via = `**etcd directly: the admin API was not available** (${oneLine((err as Error).message, 400)})`;
    log(`  admin API not available, writing to etcd directly: ${(err as Error).message}`);
  }

  let clients: Client[] = [];
  const latencies: number[] = [];
  let lost = 0;
  let writeErrors = 0;
  let firstWriteError = '';
  let spread = '';
  try {
    clients = await openConnections(`http://127.0.0.1:${dataPlane.httpPort}`, '/warm');
    // Which worker holds each connection (the primary itself holds none once it hands them over).
    const perProcess = connectionsPerProcess(processTree(dataPlane.proc.pid), dataPlane.httpPort);
    spread = [...perProcess.values()].filter((n) => n > 0).join(' / ') || 'unknown';
    log(`  server-side connections per process: ${spread}`);
    log(`Config propagation: ${options.propagationUpdates} updates via ${admin ? 'the admin API' : 'etcd'}`);
    for (let n = 1; n <= options.propagationUpdates; n++) {
      const route = exactRoute(`p${n}`, `/p/${n}`, ctx.upstreamId);
      const t0 = performance.now();
      try {
        if (admin) {
          const res = await fetch(`http://127.0.0.1:${admin.adminPort}/api/v1/routes/${route.id}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
            body: JSON.stringify(route),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`admin PUT answered ${res.status}: ${text.slice(0, 300)}`);
        } else {
          await putDocument(ctx.etcd, ctx.prefix, 'routes', route);
        }
      } catch (err) {
        writeErrors++;
        firstWriteError ||= (err as Error).message;
        continue;
      }
      const deadline = t0 + UPDATE_TIMEOUT_MS;
      const served = await Promise.all(clients.map((c) => pollUntilServed(c, `/p/${n}`, deadline)));
      if (served.every(Boolean)) latencies.push(performance.now() - t0);
      else {
        lost++;
        latencies.push(UPDATE_TIMEOUT_MS);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (admin) await ctx.registry.stop(admin.proc);
    await ctx.registry.stop(dataPlane.proc);
  }

  if (latencies.length === 0) return na(`every write failed: ${firstWriteError}`);
  const p50 = median(latencies);
  const p99 = percentile(latencies, 99);
  const max = Math.max(...latencies);
  const markdown = [
    title,
    '',
    `Updates written via ${via}; t1 − t0 from before the write until every connection got a 200 for the new path. Connections held per worker process: ${spread}.`,
    '',
    markdownTable(
      ['updates', 'p50 ms', 'p99 ms', 'max ms', `not served within ${UPDATE_TIMEOUT_MS / 1000} s`, 'write errors'],
      [[String(latencies.length), formatNumber(p50, 1), formatNumber(p99, 1), formatNumber(max, 1), String(lost), String(writeErrors)]],
    ),
    ...(firstWriteError ? ['', `First write error: ${firstWriteError}`] : []),
  ].join('\n');
  const ok = p99 < TARGET_P99_MS && lost === 0 && writeErrors === 0;
  return {
    markdown,
    targets: [
      {
        target: `Config propagation p99 < ${TARGET_P99_MS} ms${admin ? '' : ' (via etcd, no admin API)'}`,
        result: `p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
        status: ok ? 'PASS' : 'FAIL',
      },
    ],
  };
}
