import { proxyRewriteSpec, type PluginConfigOf } from '@sluice/model';
import { compileHeaderOps, type HeaderOp } from './header-ops.js';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof proxyRewriteSpec>;

/** A proxy-rewrite config ready to run (traffic-split entries run it too). */
export interface ProxyRewriteCompiled {
  uri: string | undefined;
  regex: RegExp | undefined;
  replacement: string;
  host: string | undefined;
  method: string | undefined;
  headerOps: HeaderOp[];
}

/** Only records the changes in the context; the proxy applies them to the upstream request head. */
export const proxyRewritePlugin = definePlugin({
  spec: proxyRewriteSpec,
  prepare: (config: Config): ProxyRewriteCompiled => ({
    uri: config.uri,
    regex: config.regexUri ? new RegExp(config.regexUri[0]) : undefined,
    replacement: config.regexUri?.[1] ?? '',
    host: config.host,
    method: config.method,
    headerOps: compileHeaderOps(config.headers),
  }),
  rewrite(ctx, c) {
    if (c.uri !== undefined) ctx.upstreamPath = c.uri;
    else if (c.regex && c.regex.test(ctx.path)) ctx.upstreamPath = ctx.path.replace(c.regex, c.replacement);
    if (c.host !== undefined) ctx.upstreamHost = c.host;
    if (c.method !== undefined) ctx.upstreamMethod = c.method;
    ctx.addUpstreamHeaderOps(c.headerOps);
  },
});
