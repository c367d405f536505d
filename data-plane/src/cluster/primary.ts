import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import client from 'prom-client';
import { etcdClientOptions, MAX_REPORTED_DOCUMENTS, type DataplaneStatus } from '@sluice/model';
import { llhttpSelfTest } from '../proxy/llhttp.js';
import { createLogger } from '../observe/logger.js';
import { startStatusServer } from '../status/status-server.js';
import { createDataplaneRegistration } from './dataplane-registration.js';
import { createRollingRestart, listeningPortKey, type RollingSlot } from './rolling-restart.js';
import { isCountRequest, SharedCounters } from './shared-counters.js';
import { LOAD_BEFORE_LISTEN_ENV, WORKER_OPTIONS_ENV, type DataPlaneOptions, type PrimaryMessage, type WorkerMessage } from './options.js';

interface WorkerSlot extends RollingSlot {
  worker: ClusterWorker;
  /** It reported once, so its signal handlers are installed (a SIGHUP will not kill it). */
  reported?: boolean;
}

const RESPAWN_DELAY_MS = 500;

/**
 * Who accepts new connections. With several workers the primary accepts and hands each
 * connection to the next worker (round robin: an even spread, which the OS's own choice among
 * processes waiting on one socket is not). That costs a system call round trip and an IPC
 * message per connection — about 370 µs of CPU per TLS connection on the bench machine — which
 * buys nothing with one worker: then the worker accepts from the shared socket itself. The
 * socket stays the primary's either way, so a worker replaced in a rolling restart drops no
 * connection waiting in the backlog. `NODE_CLUSTER_SCHED_POLICY=none|rr` (Node's own setting)
 * overrides the choice.
 */
export function acceptPolicy(workerCount: number, override: string | undefined): number {
  if (override === 'none') return cluster.SCHED_NONE;
  if (override === 'rr') return cluster.SCHED_RR;
  return workerCount === 1 ? cluster.SCHED_NONE : cluster.SCHED_RR;
}

/**
 * The data-plane primary: forks N workers (each with its own etcd watch and routing table),
 * respawns crashed ones, serves the status port, registers itself in etcd, and drains on
 * SIGTERM. It never proxies traffic itself.
 */
export async function runDataPlane(opts: DataPlaneOptions) {
  const logger = createLogger('data-plane');
  // The proxy parses HTTP with Node's internal llhttp binding: refuse to start on a Node release
  // that changed it, naming what changed, rather than mis-parse requests at the edge.
  const parserProblem = llhttpSelfTest();
  if (parserProblem !== undefined) {
    throw new Error(
      `the HTTP parser self-test failed on Node.js ${process.version}: ${parserProblem}. Use a supported Node.js release (see docs/security.md).`,
    );
  }
  const workerCount = opts.workers > 0 ? opts.workers : Math.max(1, os.availableParallelism());
  const slots = new Map<number, WorkerSlot>();
  const startedAt = new Date().toISOString();
  let stopping = false;
  let nextRequestId = 1;
  const aggregator = new client.AggregatorRegistry();
  // The workers' process metrics are summed by the aggregator under the plain names; the
  // primary's own (it holds the sockets and the status port) get a prefix of their own.
  const primaryRegistry = new client.Registry();
  client.collectDefaultMetrics({ register: primaryRegistry, prefix: 'sluice_primary_' });
  // limit-count `policy: local`, exact for all workers together (the workers ask over IPC).
  const counters = new SharedCounters().startSweeping();
  const healthWaiters = new Map<number, { pending: number; result: Record<string, unknown>; done: () => void }>();

  cluster.schedulingPolicy = acceptPolicy(workerCount, process.env.NODE_CLUSTER_SCHED_POLICY);
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)), silent: false });

  const etcd = new Etcd3(etcdClientOptions(opts, (f) => fs.readFileSync(f)));
  const id = opts.id ?? `${os.hostname()}-${process.pid}`;
  const registration = createDataplaneRegistration(etcd, opts.prefix, id, logger);
  let statusUrl = '';
  /** The ports bound for HTTP, HTTPS and status, published so the admin API can refuse stream routes on them. */
  let listeners: { http: number; https?: number; status: number } | undefined;

  function ready(): boolean {
    // Counted, not compared with the slot count: a rolling restart briefly runs N+1 workers.
    let serving = 0;
    for (const s of slots.values()) if (!s.retiring && s.state && s.state.origin !== 'none') serving++;
    return serving >= workerCount;
  }

  function minRevision(): number {
    const revs = [...slots.values()].map((s) => s.state?.revision ?? 0);
    return revs.length ? Math.min(...revs) : 0;
  }

  function overallState(): string {
    if (!ready()) return 'starting';
    return [...slots.values()].some((s) => s.state?.origin === 'disk-cache' || s.state?.source === 'stale') ? 'stale' : 'ready';
  }

  /**
   * What any worker does not serve (documents it refuses, ports it could not bind) and what
   * it has not bound yet, bounded: the admin API reads per-document states from it.
   */
  function servingReport(): Pick<DataplaneStatus, 'rejected' | 'rejectedOmitted' | 'pending'> {
    const rejected: Record<string, string> = {};
    const pending = new Set<string>();
    let listed = 0;
    let omitted = 0;
    for (const s of slots.values()) {
      for (const [key, reason] of Object.entries(s.state?.rejected ?? {})) {
        if (key in rejected) continue;
        if (listed >= MAX_REPORTED_DOCUMENTS) {
          omitted++;
          continue;
        }
        listed++;
        rejected[key] = reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
      }
      for (const key of s.state?.pending ?? []) if (pending.size < MAX_REPORTED_DOCUMENTS) pending.add(key);
    }
    return {
      ...(listed ? { rejected } : {}),
      ...(omitted ? { rejectedOmitted: omitted } : {}),
      ...(pending.size ? { pending: [...pending].sort() } : {}),
    };
  }

  /** The last registration written, as JSON: a worker's state change rewrites it only when it differs. */
  let reported = '';
  function report(): void {
    const status = {
      pid: process.pid,
      workers: slots.size,
      revision: minRevision(),
      statusUrl,
      listeners,
      ...servingReport(),
      state: overallState(),
      startedAt,
    };
    const json = JSON.stringify(status);
    if (json === reported) return;
    reported = json;
    registration.update(status);
  }

  /** Workers forked after the first N (respawns, rolling restarts) load before they listen. */
  let firstGenerationForked = false;
  function fork(index: number): WorkerSlot {
    // The resolved worker count: a worker of several counts limits through the primary.
    const worker = cluster.fork({
      [WORKER_OPTIONS_ENV]: JSON.stringify({ ...opts, workers: workerCount }),
      [LOAD_BEFORE_LISTEN_ENV]: firstGenerationForked ? '1' : '0',
    });
    const slot: WorkerSlot = { worker, index, boundStreamPorts: new Set() };
    slots.set(worker.id, slot);
    worker.on('listening', (address) => slot.boundStreamPorts.add(listeningPortKey(address)));
    worker.on('message', (msg: WorkerMessage) => {
      slot.reported = true;
      if (isCountRequest(msg)) {
        // The hot one first. A worker that left while its batch was counted just misses the reply.
        if (worker.isConnected()) worker.send(counters.answer(msg) satisfies PrimaryMessage, undefined, () => undefined);
      } else if (msg?.type === 'sluice:listening') {
        slot.httpPort = msg.httpPort;
        onListening({ httpPort: msg.httpPort, httpsPort: msg.httpsPort });
      } else if (msg?.type === 'sluice:state') {
        slot.state = msg.state;
        slot.streamPorts = msg.streamPorts;
        report();
      } else if (msg?.type === 'sluice:health') {
        const waiter = healthWaiters.get(msg.requestId);
        if (waiter) {
          waiter.result[`worker-${slot.index}`] = msg.upstreams;
          if (--waiter.pending === 0) waiter.done();
        }
      }
    });
    worker.on('exit', (code, signal) => {
      slots.delete(worker.id);
      if (stopping || slot.retiring) return;
      logger.error({ worker: index, code, signal }, 'worker exited; starting a new one');
      setTimeout(() => fork(index), RESPAWN_DELAY_MS).unref();
    });
    return slot;
  }

  let resolveListening!: (ports: { httpPort: number; httpsPort?: number }) => void;
  const listening = new Promise<{ httpPort: number; httpsPort?: number }>((r) => (resolveListening = r));
  function onListening(ports: { httpPort: number; httpsPort?: number }): void {
    resolveListening(ports);
  }

  for (let i = 0; i < workerCount; i++) fork(i);
  firstGenerationForked = true;
  const { httpPort, httpsPort } = await listening;

  // A code or plugin change lands by replacing the workers one at a time (code cannot be
  // swapped inside a running process): SIGHUP, a --plugins-dir change, or rollingRestart().
  const roll = createRollingRestart({
    slots,
    fork,
    isStopping: () => stopping,
    drainMs: () => opts.drainSeconds * 1000,
    logger,
  });
  const rollingRestart = roll.rollingRestart;
  // SIGHUP: the running workers reopen their log files at once (logrotate), then each is
  // replaced by a fresh process (which opens them anew). Workers still starting are skipped:
  // they may not handle SIGHUP yet, and they open their files fresh anyway.
  const onHangup = () => {
    for (const s of slots.values()) if (s.reported && !s.worker.isDead()) s.worker.process.kill('SIGHUP');
    void rollingRestart('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  let pluginWatch: fs.FSWatcher | undefined;
  if (opts.pluginsDir) {
    let debounce: NodeJS.Timeout | undefined;
    try {
      pluginWatch = fs.watch(opts.pluginsDir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void rollingRestart('custom plugins changed'), 300);
      });
    } catch (err) {
      logger.warn({ dir: opts.pluginsDir, err: String(err) }, 'cannot watch the plugins folder; restart to apply plugin changes');
    }
  }

  async function upstreamHealth(): Promise<Record<string, unknown>> {
    const requestId = nextRequestId++;
    const result: Record<string, unknown> = {};
    const live = [...slots.values()].filter((s) => s.worker.isConnected());
    if (live.length === 0) return result;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      healthWaiters.set(requestId, {
        pending: live.length,
        result,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const s of live) s.worker.send({ type: 'sluice:health?', requestId } satisfies PrimaryMessage);
    });
    healthWaiters.delete(requestId);
    return result;
  }

  const status = await startStatusServer(opts.statusPort, opts.host, {
    ready,
    describe: async () => ({
      id,
      state: overallState(),
      revision: minRevision(),
      rollingRestart: roll.inProgress(),
      // Every worker binds the same listeners (the primary owns the sockets): the first one's view stands for all.
      listeners: [...slots.values()].filter((s) => !s.retiring).sort((a, b) => a.index - b.index)[0]?.state?.listeners ?? [],
      workers: [...slots.values()]
        .sort((a, b) => a.index - b.index)
        .map((s) => ({ index: s.index, pid: s.worker.process.pid, retiring: s.retiring === true, ...s.state })),
      upstreams: await upstreamHealth(),
    }),
    metrics: async () => ({ contentType: aggregator.contentType, body: (await aggregator.clusterMetrics()) + (await primaryRegistry.metrics()) }),
  });
  statusUrl = `http://${opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1'}:${status.port}`;
  listeners = { http: httpPort, https: httpsPort, status: status.port };
  report();
  logger.info({ httpPort, httpsPort, statusPort: status.port, workers: workerCount, prefix: opts.prefix }, 'data plane started');

  async function stop(graceMs = opts.drainSeconds * 1000): Promise<void> {
    if (stopping) return;
    stopping = true;
    pluginWatch?.close();
    process.off('SIGHUP', onHangup);
    logger.info({ graceMs }, 'draining');
    const exits = [...slots.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.worker.isDead()) return resolve();
          s.worker.once('exit', () => resolve());
          try {
            s.worker.send({ type: 'sluice:drain', graceMs } satisfies PrimaryMessage);
          } catch {
            s.worker.kill();
          }
        }),
    );
    const hardStop = setTimeout(() => {
      for (const s of slots.values()) s.worker.process.kill('SIGKILL');
    }, graceMs + 5000);
    await Promise.all(exits);
    clearTimeout(hardStop);
    status.server.close();
    counters.close();
    await registration.close();
    etcd.close();
  }

  return { httpPort, httpsPort, statusPort: status.port, workers: workerCount, stop, rollingRestart, logger };
}
