import { requestMirrorSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof requestMirrorSpec>;

/** Where and how to mirror one request; compiled once per route and shared by its requests. */
export interface RequestMirrorTarget {
  upstreamId: string;
  /** Replaces the path sent to the mirror (the query is kept); undefined = the upstream request's own. */
  path: string | undefined;
  timeoutMs: number;
  maxBodySize: number;
}

interface Compiled {
  target: RequestMirrorTarget;
  sampleRatio: number;
  /** 0 <= x < 1; replaceable in tests. */
  roll: () => number;
}

/**
 * request-mirror: decides per request whether to mirror (sampling) and records the target on
 * the context; the proxy does the mirroring (proxy/request-mirror.ts) as the exchange starts.
 */
export const requestMirrorPlugin = definePlugin({
  spec: requestMirrorSpec,
  prepare: (config: Config): Compiled => ({
    target: Object.freeze({
      upstreamId: config.upstreamId,
      path: config.path,
      timeoutMs: (config.timeout ?? 5) * 1000,
      maxBodySize: config.maxBodySize ?? 1_048_576,
    }),
    sampleRatio: config.sampleRatio ?? 1,
    roll: Math.random,
  }),
  access(ctx, c): undefined {
    if (c.sampleRatio >= 1 || c.roll() < c.sampleRatio) ctx.mirror = c.target;
    return undefined;
  },
});
