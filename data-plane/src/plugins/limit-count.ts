import { limitCountSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';
import { compileKey, type KeyResolver } from './request-vars.js';
import { FixedWindowCounter } from './fixed-window-counter.js';

type Config = PluginConfigOf<typeof limitCountSpec>;

interface Compiled {
  count: number;
  limitHeader: string;
  key: KeyResolver;
  counter: FixedWindowCounter;
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
 * Fixed-window counting, `policy: local`: counters live in this worker process, so with N
 * workers a client may get up to N x count (to be made instance-wide by the lead).
 */
export const limitCountPlugin = definePlugin({
  spec: limitCountSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    // Same owner and same config keep their counters across recompiles.
    const stateKey = `limit-count|${env.ownerId}|${JSON.stringify(config)}`;
    const counter = env.state.getOrCreate(stateKey, () => new FixedWindowCounter(config.timeWindow * 1000));
    return {
      count: config.count,
      limitHeader: String(config.count),
      key: compileKey(config.keyType ?? 'var', config.key ?? 'remote_addr'),
      counter,
      showHeaders: config.showLimitQuotaHeader ?? true,
      rejectedCode: config.rejectedCode ?? 429,
      rejectedBody: config.rejectedMsg === undefined ? undefined : `${JSON.stringify({ message: config.rejectedMsg })}\n`,
    };
  },
  access(ctx, c): ShortCircuit | undefined {
    const key = c.key(ctx) || ctx.clientAddress;
    const now = Date.now();
    const { used, resetAt } = c.counter.hit(key, now);
    const resetSeconds = Math.max(0, Math.ceil((resetAt - now) / 1000));
    if (used > c.count) {
      const headers = c.showHeaders ? quotaHeaders(c.limitHeader, resetSeconds) : {};
      if (c.rejectedBody !== undefined) headers['content-type'] = 'application/json';
      return { status: c.rejectedCode, headers, body: c.rejectedBody };
    }
    if (c.showHeaders) ctx.vars[QUOTA_VAR] = { limit: c.limitHeader, remaining: c.count - used, resetSeconds } satisfies Quota;
    return undefined;
  },
  headerFilter(ctx, _c, head) {
    const quota = ctx.vars[QUOTA_VAR] as Quota | undefined;
    if (!quota) return;
    head.headers.push(
      'X-RateLimit-Limit', quota.limit,
      'X-RateLimit-Remaining', String(quota.remaining),
      'X-RateLimit-Reset', String(quota.resetSeconds),
    );
  },
});

function quotaHeaders(limit: string, resetSeconds: number): Record<string, string> {
  return { 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetSeconds) };
}
