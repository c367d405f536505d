import { trafficSplitSpec, type PluginConfigOf } from '@sluice/model';
import { readCookie } from '../balancer/read-cookie.js';
import { createSmoothWeightedPicker } from '../balancer/smooth-weighted.js';
import { compileValuePredicate, valuePasses, type ValuePredicate } from '../compile/value-predicate.js';
import { compileIpList, ipInList, type IpList } from './ip-list.js';
import { definePlugin } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof trafficSplitSpec>;

interface CompiledRule {
  headers: ValuePredicate[];
  query: ValuePredicate[];
  cookies: ValuePredicate[];
  remoteAddrs: IpList | undefined;
  /** Chooses an upstream id, or undefined for the route's own backends. */
  pick(): string | undefined;
}

/**
 * traffic-split: the first rule whose conditions hold picks an upstream by weight; the proxy
 * then sends the request there instead of to the route's backends (`ctx.backendUpstreamId`).
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
      ctx.backendUpstreamId = rule.pick();
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
function weightedPicker(entries: readonly { upstreamId?: string; weight: number }[]): () => string | undefined {
  const pick = createSmoothWeightedPicker(entries, (e) => e.weight);
  return () => pick()?.upstreamId;
}
