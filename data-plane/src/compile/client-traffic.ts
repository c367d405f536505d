import type { GlobalRule, PluginConfigOf, clientTrafficSpec } from '@sluice/model';

type Config = PluginConfigOf<typeof clientTrafficSpec>;

/** What to do with `%2F` and `%5C` in a path (client-traffic `path.escapedSlashes`). */
export type EscapedSlashes = 'redirect' | 'reject' | 'keep' | 'decode';

export interface PathPolicy {
  escapedSlashes: EscapedSlashes;
  mergeSlashes: boolean;
}

/** The connection-level limits of the client-traffic settings, in the units a front uses. */
export interface ClientLimits {
  /** Request line plus headers, in bytes; more gets 431. */
  maxHeaderSize: number;
  headersTimeoutMs: number;
  /** 0 closes the connection after each response. */
  keepAliveTimeoutMs: number;
  /** Requests per connection; Infinity = no limit. */
  keepAliveRequests: number;
}

/** How requests are treated before a route is chosen (client-traffic, resolved). */
export interface ClientTraffic {
  path: PathPolicy;
  headersWithUnderscores: 'drop' | 'allow' | 'reject';
  limits: ClientLimits;
}

/** The defaults: what a gateway with no flag and no client-traffic global rule does. */
export const CLIENT_TRAFFIC_DEFAULTS: ClientTraffic = Object.freeze({
  // Envoy Gateway's default: an encoded slash is ambiguous (an upstream may decode it), so the
  // client is sent to the unambiguous path, which is then routed like any other.
  path: Object.freeze({ escapedSlashes: 'redirect' as EscapedSlashes, mergeSlashes: true }),
  // nginx's default (underscores_in_headers off): CGI-style frameworks read `_` and `-` alike.
  headersWithUnderscores: 'drop' as const,
  limits: Object.freeze({ maxHeaderSize: 16 * 1024, headersTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000, keepAliveRequests: Infinity }),
});

/** The data-plane flags that set defaults below the global rules. */
export interface ClientTrafficFlags {
  escapedSlashes?: EscapedSlashes;
  mergeSlashes?: boolean;
  headersWithUnderscores?: ClientTraffic['headersWithUnderscores'];
}

export function clientTrafficFromFlags(flags: ClientTrafficFlags): ClientTraffic {
  return {
    path: {
      escapedSlashes: flags.escapedSlashes ?? CLIENT_TRAFFIC_DEFAULTS.path.escapedSlashes,
      mergeSlashes: flags.mergeSlashes ?? CLIENT_TRAFFIC_DEFAULTS.path.mergeSlashes,
    },
    headersWithUnderscores: flags.headersWithUnderscores ?? CLIENT_TRAFFIC_DEFAULTS.headersWithUnderscores,
    limits: CLIENT_TRAFFIC_DEFAULTS.limits,
  };
}

/**
 * The client-traffic settings of a snapshot: the flags' defaults, overridden field by field by
 * the `client-traffic` configs of the global rules. Rules are read in id order and the first
 * that sets a field wins, as for every other plugin of global rules (compile-plugins.ts).
 * Returns `base` itself when no rule carries the plugin, so tables share one object.
 */
export function resolveClientTraffic(globalRules: Iterable<GlobalRule>, base: ClientTraffic): ClientTraffic {
  const configs: Config[] = [];
  for (const rule of [...globalRules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const config = rule.plugins?.['client-traffic'] as Config | undefined;
    if (config !== undefined) configs.push(config);
  }
  if (configs.length === 0) return base;
  const first = <T>(pick: (c: Config) => T | undefined): T | undefined => {
    for (const c of configs) {
      const v = pick(c);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const seconds = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  return {
    path: {
      escapedSlashes: first((c) => c.path?.escapedSlashes) ?? base.path.escapedSlashes,
      mergeSlashes: first((c) => c.path?.mergeSlashes) ?? base.path.mergeSlashes,
    },
    headersWithUnderscores: first((c) => c.headersWithUnderscores) ?? base.headersWithUnderscores,
    limits: {
      maxHeaderSize: first((c) => c.maxHeaderSize) ?? base.limits.maxHeaderSize,
      headersTimeoutMs: seconds(first((c) => c.headersTimeout)) ?? base.limits.headersTimeoutMs,
      keepAliveTimeoutMs: seconds(first((c) => c.keepAliveTimeout)) ?? base.limits.keepAliveTimeoutMs,
      keepAliveRequests: first((c) => c.keepAliveRequests) ?? base.limits.keepAliveRequests,
    },
  };
}
