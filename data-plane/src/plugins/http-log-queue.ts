import type { Agent } from 'undici';
import { lazyRequire } from './lazy-require.js';
import type { LogEntry } from './log-entry.js';

/** undici is loaded when a route first uses http-logger (lazy-require.ts). */
const loadUndici = lazyRequire<typeof import('undici')>('undici');

export interface HttpLogQueueOptions {
  uri: string;
  authHeader?: string;
  timeoutMs: number;
  batchMaxSize: number;
  inactiveTimeoutMs: number;
  bufferDurationMs: number;
  maxRetryCount: number;
  retryDelayMs: number;
  maxQueue: number;
}

export interface HttpLogQueueStats {
  queued: number;
  sentEntries: number;
  sentBatches: number;
  /** Entries refused because the queue was full. */
  droppedEntries: number;
  /** Batches given up after their retries (their entries are lost). */
  failedBatches: number;
}

/**
 * The http-logger's batch processor: a bounded in-memory queue drained by ONE POST at a time.
 * `push` is all the request path ever calls: it never waits, never throws, and when the queue
 * is full it drops the newest entry and counts it. Timers are unref'd so a queue never holds
 * a worker open.
 */
export class HttpLogQueue {
  private entries: LogEntry[] = [];
  private firstAt = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private sending = false;
  private closed = false;
  private readonly agent: Agent;
  private readonly request = loadUndici().request;
  private readonly headers: Record<string, string>;
  readonly stats: HttpLogQueueStats = { queued: 0, sentEntries: 0, sentBatches: 0, droppedEntries: 0, failedBatches: 0 };

  constructor(private readonly opts: HttpLogQueueOptions) {
    this.agent = new (loadUndici().Agent)({
      keepAliveTimeout: 30_000,
      connections: 2,
      connectTimeout: opts.timeoutMs,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    this.headers = { 'content-type': 'application/json' };
    if (opts.authHeader !== undefined) this.headers.authorization = opts.authHeader;
  }

  push(entry: LogEntry): void {
    if (this.entries.length >= this.opts.maxQueue || this.closed) {
      this.stats.droppedEntries++;
      return;
    }
    const now = Date.now();
    if (this.entries.length === 0) this.firstAt = now;
    this.lastAt = now;
    this.entries.push(entry);
    this.stats.queued = this.entries.length;
    if (this.sending) return;
    if (this.entries.length >= this.opts.batchMaxSize) this.sendNext();
    else if (this.timer === undefined) this.arm(Math.min(this.opts.inactiveTimeoutMs, this.opts.bufferDurationMs));
  }

  /** Sends what is queued now, whatever its size (shutdown, tests). */
  flush(): void {
    if (!this.sending && this.entries.length) this.sendNext();
  }

  close(): Promise<void> {
    this.closed = true;
    this.disarm();
    return this.agent.close();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.onTimer(), Math.max(ms, 1));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A partial batch goes when traffic paused for inactiveTimeout or its oldest entry is bufferDuration old. */
  private onTimer(): void {
    this.timer = undefined;
    if (this.sending || this.entries.length === 0) return;
    const now = Date.now();
    const idleLeft = this.lastAt + this.opts.inactiveTimeoutMs - now;
    const ageLeft = this.firstAt + this.opts.bufferDurationMs - now;
    if (idleLeft <= 0 || ageLeft <= 0) this.sendNext();
    else this.arm(Math.min(idleLeft, ageLeft));
  }

  private sendNext(): void {
    this.disarm();
    const batch = this.entries.length <= this.opts.batchMaxSize ? this.entries : this.entries.slice(0, this.opts.batchMaxSize);
    this.entries = batch === this.entries ? [] : this.entries.slice(batch.length);
    this.stats.queued = this.entries.length;
    this.firstAt = Date.now();
    this.sending = true;
    void this.deliver(JSON.stringify(batch), batch.length).finally(() => {
      this.sending = false;
      if (this.closed) return;
      if (this.entries.length >= this.opts.batchMaxSize) this.sendNext();
      else if (this.entries.length) this.arm(Math.min(this.opts.inactiveTimeoutMs, this.opts.bufferDurationMs));
    });
  }

  private async deliver(body: string, count: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (await this.post(body)) {
        this.stats.sentBatches++;
        this.stats.sentEntries += count;
        return;
      }
      if (attempt >= this.opts.maxRetryCount) {
        this.stats.failedBatches++;
        return;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, this.opts.retryDelayMs).unref());
    }
  }

  private async post(body: string): Promise<boolean> {
    try {
      const res = await this.request(this.opts.uri, {
        method: 'POST',
        body,
        headers: this.headers,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.body.dump();
      return res.statusCode < 300;
    } catch {
      return false;
    }
  }
}
