import type { Redis } from 'ioredis';
import { lazyRequire } from './lazy-require.js';
import type { PluginLogger } from './plugin-logger.js';

export interface RedisTarget {
  host: string;
  port: number;
  password: string | undefined;
  database: number;
  /** Milliseconds a call may take before the caller gives up on it. */
  timeoutMs: number;
}

export interface SharedWindow {
  used: number;
  resetAt: number;
}

// One atomic step per request: the first hit of a window starts its expiry, so every data
// plane counting this key shares one window. A key that lost its expiry gets it back.
const HIT_SCRIPT = `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {used, ttl}
`;

/** ioredis is loaded when a route first counts in Redis (lazy-require.ts). */
const loadIoredis = lazyRequire<typeof import('ioredis')>('ioredis');

type ScriptedRedis = Redis & { sluiceWindowHit(key: string, windowMs: number): Promise<[number, number]> };

/** A warning at most this often per Redis, so an outage does not flood the log. */
const WARN_EVERY_MS = 10_000;

/**
 * Fixed windows counted in Redis (limit-count `policy: redis`). Fails open: when Redis is
 * unreachable or slow, `hit` resolves to undefined and the caller allows the request.
 */
export class RedisWindowCounter {
  private readonly redis: ScriptedRedis;
  private everReady = false;
  private lastWarnAt = -Infinity;

  constructor(
    readonly target: RedisTarget,
    private readonly log: PluginLogger | undefined,
  ) {
    this.redis = new (loadIoredis().Redis)({
      host: target.host,
      port: target.port,
      password: target.password,
      db: target.database,
      connectTimeout: Math.max(target.timeoutMs, 1000),
      commandTimeout: target.timeoutMs,
      // Queue only while the first connection is made; after that a lost Redis fails fast (see hit).
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }) as ScriptedRedis;
    this.redis.defineCommand('sluiceWindowHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis.on('ready', () => {
      this.everReady = true;
    });
    // Without a listener ioredis would rethrow connection errors as uncaught.
    this.redis.on('error', (err: Error) => this.warn(err));
  }

  async hit(key: string, windowMs: number): Promise<SharedWindow | undefined> {
    if (this.everReady && this.redis.status !== 'ready') {
      this.warn(new Error(`redis is ${this.redis.status}`));
      return undefined;
    }
    try {
      const [used, ttl] = await this.redis.sluiceWindowHit(key, windowMs);
      return { used: Number(used), resetAt: Date.now() + Number(ttl) };
    } catch (err) {
      this.warn(err as Error);
      return undefined;
    }
  }

  close(): void {
    this.redis.disconnect();
  }

  private warn(err: Error): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.log?.warn(
      { err: err.message, redis: `${this.target.host}:${this.target.port}/${this.target.database}` },
      'limit-count: redis unavailable, allowing requests without counting',
    );
  }
}

/** One connection per Redis target and worker process, shared by every route that names it. */
const counters = new Map<string, RedisWindowCounter>();

export function redisWindowCounter(target: RedisTarget, log: PluginLogger | undefined): RedisWindowCounter {
  const id = JSON.stringify(target);
  let counter = counters.get(id);
  if (counter === undefined) {
    counter = new RedisWindowCounter(target, log);
    counters.set(id, counter);
  }
  return counter;
}

/** Closes every Redis connection of this process (shutdown, tests). */
export function closeRedisWindowCounters(): void {
  for (const counter of counters.values()) counter.close();
  counters.clear();
}
