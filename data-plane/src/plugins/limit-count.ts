import { createHash } from 'node:crypto';
import { limitCountSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';
import { compileKey, type KeyResolver } from './request-vars.js';
import { FixedWindowCounter } from './fixed-window-counter.js';
import { instanceWindowCounter, type InstanceWindowCounter } from './instance-window-counter.js';
import { redisWindowCounter, type RedisWindowCounter, type SharedWindow } from './redis-window-counter.js';

type Config = PluginConfigOf<typeof limitCountSpec>;

interface Compiled {
  count: number;
  limitHeader: string;
  key: KeyResolver;
  counter: FixedWindowCounter;
  /**
   * Counted outside this process: policy redis (shared by data planes), or policy local on
   * an instance with several workers (counted by the primary). Undefined: `counter`, in-process.
   */
  shared: RedisWindowCounter | InstanceWindowCounter | undefined;
  /** This route and config's key prefix in the shared counter. */
  sharedPrefix: string;
  windowMs: number;
  showHeaders: boolean;
  rejectedCode: number;
  rejectedBody: string | undefined;
}

interface Quota {
  limit: string;
  remaining: number;
  resetSeconds: number;
}

const QUOTA_VAR = 'limitCount.quota';

/**
 * Fixed-window counting. `policy: local` is exact for the data-plane instance: with one
 * worker (or none, in-process) the counters live here and a hit is synchronous; with several
 * workers each hit goes to the primary over IPC (batched per event-loop turn).
 * `policy: redis`: one atomic script per request in a shared Redis. Both shared counters fail
 * open (allow) when they cannot answer in time, and log it.
 */
export const limitCountPlugin = definePlugin({
  spec: limitCountSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    // Same owner and same config keep their counters across recompiles.
    const configJson = JSON.stringify(config);
    const counter = env.state.getOrCreate(`limit-count|${env.ownerId}|${configJson}`, () => new FixedWindowCounter(config.timeWindow * 1000));
    const shared =
      config.policy === 'redis'
        ? redisWindowCounter(
            {
              host: config.redisHost ?? '127.0.0.1',
              port: config.redisPort ?? 6379,
              password: config.redisPassword,
              database: config.redisDatabase ?? 0,
              timeoutMs: config.redisTimeout ?? 1000,
            },
            env.log,
          )
        : instanceWindowCounter();
    // Every data plane (every worker) derives the same key for the same route and config, so they share it.
    const configHash = createHash('sha1').update(configJson).digest('hex').slice(0, 16);
    return {
      count: config.count,
      limitHeader: String(config.count),
      key: compileKey(config.keyType ?? 'var', config.key ?? 'remote_addr'),
      counter,
      shared,
      sharedPrefix: `sluice:limit-count:${env.ownerId}:${configHash}:`,
      windowMs: config.timeWindow * 1000,
      showHeaders: config.showLimitQuotaHeader ?? true,
      rejectedCode: config.rejectedCode ?? 429,
      rejectedBody: config.rejectedMsg === undefined ? undefined : `${JSON.stringify({ message: config.rejectedMsg })}\n`,
    };
  },
  access(ctx, c): ShortCircuit | undefined | Promise<ShortCircuit | undefined> {
    const key = c.key(ctx) || ctx.clientAddress;
    if (c.shared !== undefined) {
      // undefined window: the shared counter did not answer, the request is allowed (fail open).
      return c.shared
        .hit(c.sharedPrefix + key, c.windowMs)
        .then((w: SharedWindow | undefined) => (w === undefined ? undefined : judge(ctx, c, w.used, w.resetAt, Date.now())));
    }
    const now = Date.now();
    const { used, resetAt } = c.counter.hit(key, now);
    return judge(ctx, c, used, resetAt, now);
  },
  headerFilter(ctx, _c, head) {
    const quota = ctx.vars[QUOTA_VAR] as Quota | undefined;
    if (!quota) return;
    head.headers.push('X-RateLimit-Limit', quota.limit, 'X-RateLimit-Remaining', String(quota.remaining), 'X-RateLimit-Reset', String(quota.resetSeconds));
  },
});

/** Refuses a request over the count, or notes its quota for the response headers. */
function judge(ctx: PluginContext, c: Compiled, used: number, resetAt: number, now: number): ShortCircuit | undefined {
  const resetSeconds = Math.max(0, Math.ceil((resetAt - now) / 1000));
  if (used > c.count) {
    const headers = c.showHeaders ? quotaHeaders(c.limitHeader, resetSeconds) : {};
    if (c.rejectedBody !== undefined) headers['content-type'] = 'application/json';
    return { status: c.rejectedCode, headers, body: c.rejectedBody };
  }
  if (c.showHeaders) ctx.vars[QUOTA_VAR] = { limit: c.limitHeader, remaining: c.count - used, resetSeconds } satisfies Quota;
  return undefined;
}

function quotaHeaders(limit: string, resetSeconds: number): Record<string, string> {
  return { 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetSeconds) };
}
