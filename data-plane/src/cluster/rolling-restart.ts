import type { Worker as ClusterWorker } from 'node:cluster';
import type { Logger } from 'pino';
import type { WorkerState } from '../worker.js';
import type { PrimaryMessage } from './options.js';

/** What the rolling restart needs to know about one worker process. */
export interface RollingSlot {
  worker: ClusterWorker;
  index: number;
  /** Being replaced: its exit must not start another worker. */
  retiring?: boolean;
  /** Set once the worker's HTTP (and HTTPS) servers listen. */
  httpPort?: number;
  state?: WorkerState;
  /** Stream ports its config wants open (`tcp:9000`, `udp:5353`), as the worker last reported. */
  streamPorts?: string[];
  /** Stream ports the primary saw it bind (cluster 'listening'). */
  boundStreamPorts: Set<string>;
}

export interface RollingRestartDeps {
  slots: Map<number, RollingSlot>;
  /** Forks a replacement worker with the same index and returns its slot. */
  fork(index: number): RollingSlot;
  isStopping(): boolean;
  drainMs(): number;
  logger: Logger;
}

/** Longest a new worker may take to serve a config before the roll gives up on it. */
const READY_TIMEOUT_MS = 30_000;
/** Longest to wait for a new worker's stream ports once it serves (a port may fail to open). */
const STREAM_PORTS_TIMEOUT_MS = 5_000;
const POLL_MS = 25;

/**
 * Replaces the workers one at a time, keeping the listening sockets: in a Node cluster the
 * primary owns them, and a socket closes only when no worker listens on it any more, so the
 * new worker joins every port (HTTP, HTTPS, stream) *before* the old one is told to drain.
 * Capacity never drops below N and no connection is refused. A roll asked for during a roll
 * runs again afterwards, so a change that landed mid-roll reaches every worker.
 */
export function createRollingRestart(deps: RollingRestartDeps) {
  const { slots, logger } = deps;
  let running: Promise<void> | undefined;
  let again = false;

  function serving(fresh: RollingSlot): boolean {
    if (fresh.state === undefined || fresh.httpPort === undefined) return false;
    // etcd's config, unless etcd is down for everyone (then the disk copy will do).
    const othersLive = [...slots.values()].some((s) => s !== fresh && s.state?.source === 'live');
    return othersLive ? fresh.state.origin === 'etcd' : fresh.state.origin !== 'none';
  }

  function joinedStreamPorts(fresh: RollingSlot, old: RollingSlot): boolean {
    const wanted = old.streamPorts ?? [];
    return wanted.every((port) => fresh.boundStreamPorts.has(port));
  }

  async function until(check: () => boolean, timeoutMs: number, fresh: RollingSlot): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline || fresh.worker.isDead() || deps.isStopping()) return false;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return true;
  }

  function drainOld(old: RollingSlot): Promise<void> {
    old.retiring = true;
    return new Promise<void>((resolve) => {
      if (old.worker.isDead()) return resolve();
      old.worker.once('exit', () => resolve());
      try {
        old.worker.send({ type: 'sluice:drain', graceMs: deps.drainMs() } satisfies PrimaryMessage);
      } catch {
        old.worker.kill();
      }
    });
  }

  async function replaceAll(reason: string): Promise<void> {
    logger.info({ reason }, 'rolling restart of the workers');
    const generation = [...slots.values()].filter((s) => !s.retiring);
    for (const old of generation) {
      if (deps.isStopping()) return;
      if (old.worker.isDead()) continue; // it crashed meanwhile; its respawn is already new
      const fresh = deps.fork(old.index);
      if (!(await until(() => serving(fresh), READY_TIMEOUT_MS, fresh))) {
        // Keep the old worker: a replacement that cannot serve must not cost capacity.
        logger.error({ worker: old.index, reason }, 'new worker did not start serving; rolling restart stopped');
        if (!fresh.worker.isDead()) await drainOld(fresh);
        return;
      }
      if (!(await until(() => joinedStreamPorts(fresh, old), STREAM_PORTS_TIMEOUT_MS, fresh))) {
        logger.warn({ worker: old.index, wanted: old.streamPorts, bound: [...fresh.boundStreamPorts] }, 'new worker did not bind every stream port in time');
      }
      await drainOld(old);
    }
    logger.info({ workers: slots.size }, 'rolling restart done');
  }

  /** Starts a roll (or queues one after the running roll); resolves when no roll is left to do. */
  function rollingRestart(reason: string): Promise<void> {
    if (deps.isStopping()) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await replaceAll(reason);
        } while (again && !deps.isStopping());
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return { rollingRestart, inProgress: () => running !== undefined };
}

/** `tcp:<port>` / `udp:<port>` for a cluster 'listening' address, as the stream plans name ports. */
export function listeningPortKey(address: { addressType: number | string; port: number }): string {
  return `${typeof address.addressType === 'string' && address.addressType.startsWith('udp') ? 'udp' : 'tcp'}:${address.port}`;
}
