import type { CountReply, CountRequest } from '../cluster/count-messages.js';
import type { SharedWindow } from './redis-window-counter.js';
import type { PluginLogger } from './plugin-logger.js';

/** The IPC channel to the primary as the counter needs it: `process` in a cluster worker. */
export interface PrimaryChannel {
  readonly connected: boolean;
  send(message: CountRequest, callback: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

interface PendingBatch {
  resolvers: ((w: SharedWindow | undefined) => void)[];
  timer: NodeJS.Timeout;
}

/**
 * limit-count `policy: local` when the instance runs several workers: the counting happens in
 * the primary (cluster/shared-counters.ts), so the limit holds for all workers together.
 * Every hit made in one event-loop turn goes in one IPC message (flushed by setImmediate) and
 * comes back in one reply, since each IPC message costs ~20 µs of CPU at each end; and only
 * one batch is out at a time, so under load the batches grow instead of the messages. Fails open like
 * the Redis counter: no channel, or no reply within `timeoutMs`, resolves undefined (allow)
 * and logs once until the primary answers again.
 */
export class InstanceWindowCounter {
  private resolvers: ((w: SharedWindow | undefined) => void)[] = [];
  private hits: (string | number)[] = [];
  private flushScheduled = false;
  private nextBatchId = 1;
  private readonly inFlight = new Map<number, PendingBatch>();
  private failing = false;

  constructor(
    private readonly channel: PrimaryChannel,
    private readonly log: PluginLogger | undefined,
    private readonly timeoutMs = 1000,
  ) {
    channel.on('message', (msg) => {
      if ((msg as CountReply | undefined)?.type === 'sluice:counted') this.settle(msg as CountReply);
    });
    channel.on('disconnect', () => {
      for (const batchId of [...this.inFlight.keys()]) this.fail(batchId, 'the primary went away');
    });
  }

  /** Counts one hit of `key` in the instance's window of `windowMs`; undefined = not counted, allow. */
  hit(key: string, windowMs: number): Promise<SharedWindow | undefined> {
    if (!this.channel.connected) {
      this.warn('no IPC channel to the primary');
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      this.hits.push(key, windowMs);
      this.resolvers.push(resolve);
      this.scheduleFlush();
    });
  }

  /**
   * At the end of this turn, unless a batch is out: then the hits wait for its reply (one IPC
   * round trip at most) and leave together, so a busy worker sends far fewer messages.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight.size > 0 || this.resolvers.length === 0) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  /** Batches waiting for the primary (tests, diagnostics). */
  get pendingBatches(): number {
    return this.inFlight.size;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batchId = this.nextBatchId++;
    const request: CountRequest = { type: 'sluice:count', batchId, hits: this.hits };
    const resolvers = this.resolvers;
    this.hits = [];
    this.resolvers = [];
    const timer = setTimeout(() => this.fail(batchId, `no answer from the primary within ${this.timeoutMs} ms`), this.timeoutMs);
    this.inFlight.set(batchId, { resolvers, timer });
    try {
      if (!this.channel.connected) return this.fail(batchId, 'no IPC channel to the primary');
      this.channel.send(request, (err) => {
        if (err) this.fail(batchId, `IPC send failed: ${err.message}`);
      });
    } catch (err) {
      this.fail(batchId, `IPC send failed: ${(err as Error).message}`);
    }
  };

  private settle(reply: CountReply): void {
    const batch = this.inFlight.get(reply.batchId);
    if (batch === undefined) return; // already failed open on timeout
    this.inFlight.delete(reply.batchId);
    clearTimeout(batch.timer);
    this.failing = false;
    const w = reply.windows;
    for (let i = 0; i < batch.resolvers.length; i++) {
      const used = w?.[2 * i];
      const resetAt = w?.[2 * i + 1];
      batch.resolvers[i]!(typeof used === 'number' && typeof resetAt === 'number' ? { used, resetAt } : undefined);
    }
    this.scheduleFlush();
  }

  private fail(batchId: number, reason: string): void {
    const batch = this.inFlight.get(batchId);
    if (batch === undefined) return;
    this.inFlight.delete(batchId);
    clearTimeout(batch.timer);
    this.warn(reason);
    for (const resolve of batch.resolvers) resolve(undefined);
    this.scheduleFlush();
  }

  private warn(reason: string): void {
    if (this.failing) return;
    this.failing = true;
    this.log?.warn({ reason }, 'limit-count: instance counter unavailable, allowing requests without counting');
  }
}

let instanceCounter: InstanceWindowCounter | undefined;

/**
 * Called by a cluster worker at start: with several workers, limit-count `policy: local`
 * counts in the primary. With one worker, or outside a cluster (tests, in-process workers),
 * nothing is set and counting stays in-process and synchronous.
 */
export function useInstanceWindowCounter(workers: number, log: PluginLogger | undefined, channel: PrimaryChannel | undefined): void {
  instanceCounter = workers > 1 && channel !== undefined ? new InstanceWindowCounter(channel, log) : undefined;
}

/** The instance counter when this worker shares its limits with others, else undefined. */
export function instanceWindowCounter(): InstanceWindowCounter | undefined {
  return instanceCounter;
}

/** This process's IPC channel to its parent (the cluster primary), if it has one. */
export function parentChannel(): PrimaryChannel | undefined {
  if (typeof process.send !== 'function') return undefined;
  return {
    get connected() {
      return process.connected;
    },
    send: (message, callback) => process.send!(message, undefined, {}, callback),
    on: (event: 'message' | 'disconnect', listener: (...args: any[]) => void) => process.on(event, listener),
  };
}
