import { requestMirrorSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin } from './plugin.js';
import type { RequestMirrorTarget } from './proxy-directives.js';

export type { RequestMirrorTarget } from './proxy-directives.js';

type Config = PluginConfigOf<typeof requestMirrorSpec>;

interface Compiled {
  targets: readonly RequestMirrorTarget[];
  /** One per target. */
  sampleRatios: readonly number[];
  /** Every target takes every request: the same frozen list serves them all. */
  always: boolean;
  /** 0 <= x < 1; replaceable in tests. */
  roll: () => number;
}

/**
 * request-mirror: decides per request which targets to mirror to (each sampled on its own)
 * and records them on the context; the proxy does the mirroring (proxy/request-mirror.ts) as
 * the exchange starts.
 */
export const requestMirrorPlugin = definePlugin({
  spec: requestMirrorSpec,
  prepare(config: Config): Compiled {
    const timeoutMs = (config.timeout ?? 5) * 1000;
    const maxBodySize = config.maxBodySize ?? 1_048_576;
    const wanted = config.targets ?? [{ upstreamId: config.upstreamId!, sampleRatio: config.sampleRatio, path: config.path }];
    const targets = Object.freeze(wanted.map((t) => Object.freeze({ upstreamId: t.upstreamId, path: t.path, timeoutMs, maxBodySize })));
    const sampleRatios = wanted.map((t) => t.sampleRatio ?? 1);
    return { targets, sampleRatios, always: sampleRatios.every((r) => r >= 1), roll: Math.random };
  },
  access(ctx, c): undefined {
    if (c.always) {
      ctx.mirrors = c.targets;
      return undefined;
    }
    let chosen: RequestMirrorTarget[] | undefined;
    for (let i = 0; i < c.targets.length; i++) {
      const ratio = c.sampleRatios[i];
      if (ratio >= 1 || c.roll() < ratio) (chosen ??= []).push(c.targets[i]);
    }
    if (chosen !== undefined) ctx.mirrors = chosen;
    return undefined;
  },
});
