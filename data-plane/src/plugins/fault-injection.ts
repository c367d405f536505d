import { setTimeout as delay } from 'node:timers/promises';
import { faultInjectionSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof faultInjectionSpec>;

interface Compiled {
  abort: ShortCircuit | undefined;
  abortPercentage: number;
  delayMs: number;
  delayPercentage: number;
  /** 0 <= x < 100; replaceable in tests. */
  roll: () => number;
}

export const faultInjectionPlugin = definePlugin({
  spec: faultInjectionSpec,
  prepare: (config: Config): Compiled => ({
    abort: config.abort
      ? Object.freeze({ status: config.abort.httpStatus, headers: Object.freeze({ ...config.abort.headers }), body: config.abort.body ?? '' })
      : undefined,
    abortPercentage: config.abort?.percentage ?? 100,
    delayMs: (config.delay?.duration ?? 0) * 1000,
    delayPercentage: config.delay?.percentage ?? 100,
    roll: () => Math.random() * 100,
  }),
  rewrite(_ctx, c) {
    // Delay first, then abort, each drawn on its own (as APISIX does).
    const aborts = c.abort !== undefined && c.roll() < c.abortPercentage;
    const answer = aborts ? c.abort : undefined;
    if (c.delayMs > 0 && c.roll() < c.delayPercentage) return delay(c.delayMs).then(() => answer);
    return answer;
  },
});
