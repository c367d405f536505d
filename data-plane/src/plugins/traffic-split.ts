import { trafficSplitSpec, type PluginConfigOf } from '@sluice/model';
import { readCookie } from '../balancer/read-cookie.js';
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

/** Smooth weighted round robin over the entries (interleaves a 10/90 split instead of bursting). */
function weightedPicker(entries: readonly { upstreamId?: string; weight: number }[]): () => string | undefined {
  const live = entries.filter((e) => e.weight > 0);
  if (live.length === 1) {
    const only = live[0].upstreamId;
    return () => only;
  }
  const current = new Float64Array(live.length);
  let total = 0;
  for (const e of live) total += e.weight;
  return () => {
    let best = 0;
    for (let i = 0; i < live.length; i++) {
      current[i] += live[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return live[best].upstreamId;
  };
}
