import type { GlobalRule, PluginMap } from '@sluice/model';

/**
 * client-control `maxBodySize` for a route, with the precedence every plugin has: the route's,
 * then its plugin config's, then the first global rule's (by id) that sets it — so a global
 * rule is the default body limit of every route without its own. Undefined = no limit.
 */
export function resolveMaxBodySize(route: PluginMap | undefined, pluginConfig: PluginMap | undefined, globalRules: readonly GlobalRule[]): number | undefined {
  const own = limitOf(route) ?? limitOf(pluginConfig);
  if (own !== undefined) return own;
  for (const rule of [...globalRules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const limit = limitOf(rule.plugins);
    if (limit !== undefined) return limit;
  }
  return undefined;
}

function limitOf(plugins: PluginMap | undefined): number | undefined {
  return (plugins?.['client-control'] as { maxBodySize?: number } | undefined)?.maxBodySize;
}
