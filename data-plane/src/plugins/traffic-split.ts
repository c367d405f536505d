import { trafficSplitSpec, type PluginConfigOf } from '@sluice/model';
import { readCookie } from '../balancer/read-cookie.js';
import { createSmoothWeightedPicker } from '../balancer/smooth-weighted.js';
import { compileValuePredicate, valuePasses, type ValuePredicate } from '../compile/value-predicate.js';
import { compileIpList, ipInList, type IpList } from './ip-list.js';
import { definePlugin } from './plugin.js';
import { proxyRewritePlugin, type ProxyRewriteCompiled } from './proxy-rewrite.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof trafficSplitSpec>;

interface CompiledRule {
  headers: ValuePredicate[];
  query: ValuePredicate[];
  cookies: ValuePredicate[];
  remoteAddrs: IpList | undefined;
  /** Chooses an entry (its upstream id undefined = the route's own backends). */
  pick(): CompiledEntry | undefined;
}

interface CompiledEntry {
  upstreamId: string | undefined;
  /** The entry's own proxy-rewrite, run when it is chosen. */
  rewrite: ProxyRewriteCompiled | undefined;
}

/**
 * traffic-split: the first rule whose conditions hold picks an upstream by weight; the proxy
 * then sends the request there instead of to the route's backends (`ctx.backendUpstreamId`).
 * An entry's proxyRewrite edits only the requests it takes: it runs here, in access, so after
 * every rewrite-phase change of the route (the Gateway API applies per-backend filters last).
 */
export const trafficSplitPlugin = definePlugin({
  spec: trafficSplitSpec,
  prepare(config: Config): CompiledRule[] {
    return config.rules.map((rule, r) => {
      const where = (f: string, i: number) => `traffic-split rules/${r}/match/${f}/${i}`;
      return {
        headers: (rule.match?.headers ?? []).map((m, i) => compileValuePredicate(m, true, where('headers', i))),
        query: (rule.match?.query ?? []).map((m, i) => compileValuePredicate(m, false, where('query', i))),
        cookies: (rule.match?.cookies ?? []).map((m, i) => compileValuePredicate(m, false, where('cookies', i))),
        remoteAddrs: rule.match?.remoteAddrs ? compileIpList(rule.match.remoteAddrs) : undefined,
        pick: weightedPicker(rule.weightedUpstreams),
      };
    });
  },
  access(ctx, rules): undefined {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (!ruleHolds(ctx, rule)) continue;
      const entry = rule.pick();
      ctx.backendUpstreamId = entry?.upstreamId;
      if (entry?.rewrite !== undefined) proxyRewritePlugin.rewrite!(ctx, entry.rewrite);
      return undefined;
    }
    return undefined;
  },
});

function ruleHolds(ctx: PluginContext, rule: CompiledRule): boolean {
  for (const p of rule.headers) if (!valuePasses(p, ctx.header(p.name))) return false;
  for (const p of rule.query) if (!valuePasses(p, ctx.queryParam(p.name))) return false;
  for (const p of rule.cookies) if (!valuePasses(p, readCookie(ctx.headers.cookie, p.name))) return false;
  return rule.remoteAddrs === undefined || ipInList(ctx.clientAddress, rule.remoteAddrs);
}

/** Chooses among a rule's entries by weight, interleaved; an entry without upstreamId means the route's backends. */
function weightedPicker(entries: Config['rules'][number]['weightedUpstreams']): () => CompiledEntry | undefined {
  const compiled = entries.map((e) => ({
    weight: e.weight,
    entry: { upstreamId: e.upstreamId, rewrite: e.proxyRewrite ? proxyRewritePlugin.prepare!(e.proxyRewrite, undefined as never) : undefined },
  }));
  const pick = createSmoothWeightedPicker(compiled, (e) => e.weight);
  return () => pick()?.entry;
}
