import { apiBreakerSpec, type PluginConfigOf } from '@sluice/model';
import { CircuitBreaker } from './circuit-breaker.js';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof apiBreakerSpec>;

interface Compiled {
  breaker: CircuitBreaker;
  broken: ShortCircuit;
  unhealthyStatuses: ReadonlySet<number>;
  healthyStatuses: ReadonlySet<number>;
}

/** api-breaker as in APISIX: answers breakResponseCode while the upstream is judged broken. */
export const apiBreakerPlugin = definePlugin({
  spec: apiBreakerSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    const policy = {
      failures: config.unhealthy?.failures ?? 3,
      successes: config.healthy?.successes ?? 3,
      maxBreakerMs: (config.maxBreakerSec ?? 300) * 1000,
    };
    const breaker = env.state.getOrCreate(`api-breaker|${env.ownerId}|${JSON.stringify(config)}`, () => new CircuitBreaker(policy));
    const headers: Record<string, string> = {};
    // APISIX sends the configured headers only with a configured body.
    if (config.breakResponseBody !== undefined) for (const h of config.breakResponseHeaders ?? []) headers[h.key] = h.value;
    return {
      breaker,
      broken: Object.freeze({ status: config.breakResponseCode, headers, body: config.breakResponseBody }),
      unhealthyStatuses: new Set(config.unhealthy?.httpStatuses ?? [500]),
      healthyStatuses: new Set(config.healthy?.httpStatuses ?? [200]),
    };
  },
  access(_ctx, c): ShortCircuit | undefined {
    return c.breaker.isOpen(Date.now()) ? c.broken : undefined;
  },
  log(ctx, c, status) {
    // Only the upstream's answers count; the gateway's own 502/504 for an unreachable
    // upstream too (as nginx's upstream_status), other plugins' answers never.
    const upstream = ctx.upstreamStatus ?? (ctx.answeredByPlugin ? undefined : status);
    if (upstream === undefined) return;
    if (c.unhealthyStatuses.has(upstream)) c.breaker.recordUnhealthy(Date.now());
    else if (c.healthyStatuses.has(upstream)) c.breaker.recordHealthy();
  },
});
