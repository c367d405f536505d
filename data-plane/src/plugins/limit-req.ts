import { setTimeout as delay } from 'node:timers/promises';
import { limitReqSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { LeakyBucket } from './leaky-bucket.js';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';
import { compileKey, type KeyResolver } from './request-vars.js';

type Config = PluginConfigOf<typeof limitReqSpec>;

interface Compiled {
  bucket: LeakyBucket;
  key: KeyResolver;
  rejected: ShortCircuit;
  nodelay: boolean;
}

/** Shorter waits than this are not worth a timer (nginx: 1 ms). */
const MIN_DELAY_MS = 1;

/** limit-req as in APISIX (nginx limit_req): leaky bucket per key, delay within the burst. */
export const limitReqPlugin = definePlugin({
  spec: limitReqSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    // Same owner and same config keep their buckets across recompiles.
    const bucket = env.state.getOrCreate(`limit-req|${env.ownerId}|${JSON.stringify(config)}`, () => new LeakyBucket(config.rate, config.burst));
    const code = config.rejectedCode ?? 503;
    return {
      bucket,
      key: compileKey(config.keyType ?? 'var', config.key ?? 'remote_addr'),
      rejected: config.rejectedMsg === undefined ? Object.freeze({ status: code }) : jsonAnswer(code, config.rejectedMsg),
      nodelay: config.nodelay ?? false,
    };
  },
  access(ctx, c): ShortCircuit | undefined | Promise<undefined> {
    const waitMs = c.bucket.take(c.key(ctx) || ctx.clientAddress, Date.now());
    if (waitMs < 0) return c.rejected;
    if (c.nodelay || waitMs < MIN_DELAY_MS) return undefined;
    return delay(waitMs, undefined);
  },
});
