import type { GlobalRule, PluginConfig, PluginMap } from '@sluice/model';
import { ConsumerIndex } from './consumer-index.js';
import { PluginChain } from './plugin-chain.js';
import type { PluginSource, PrepareEnv } from './plugin.js';
import { PluginPrepareError, byPriority, type PreparedPlugin } from './prepared-plugin.js';

export interface CompilePluginsEnv {
  routeId: string;
  /** The snapshot's consumer index (buildConsumerIndex); empty when no route authenticates. */
  consumers?: ConsumerIndex;
}

/**
 * Compiles a route's plugins into a chain, once per route per snapshot. Returns undefined when
 * nothing applies, so a route without plugins costs the proxy nothing.
 *
 * Precedence for the same plugin name: route > plugin config > global rule (global rules in
 * id order, the first wins). Unlike APISIX, a global rule is merged into the route's chain
 * instead of running as a separate chain first, so a plugin never runs twice for one request
 * and a route can override a global default. Consumer plugins are merged later, per request,
 * after authentication, and override the route's (as in APISIX).
 *
 * Throws PluginPrepareError when a config cannot be compiled or has no implementation:
 * the caller rejects that route alone.
 */
export function compilePluginChain(
  routePlugins: PluginMap | undefined,
  pluginConfig: PluginConfig | undefined,
  globalRules: Iterable<GlobalRule>,
  registry: PluginSource,
  env: CompilePluginsEnv,
): PluginChain | undefined {
  const consumers = env.consumers ?? ConsumerIndex.empty;
  const chosen = new Map<string, PreparedPlugin>();
  const add = (plugins: PluginMap | undefined, ownerId: string) => {
    for (const name in plugins) {
      if (chosen.has(name)) continue;
      chosen.set(name, prepare(name, plugins[name], registry, { ownerId, consumers, state: registry.state, log: registry.log }));
    }
  };
  add(routePlugins, env.routeId);
  if (pluginConfig) add(pluginConfig.plugins, env.routeId);
  const globals = [...globalRules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Global counters are shared by every route: the owner is the rule, not the route.
  for (const rule of globals) add(rule.plugins, `global-rule/${rule.id}`);
  // Prepared (so a bad config still rejects its route), but a plugin with no phase of its own
  // (client-control and client-traffic: the pipeline reads their configs) adds nothing to run.
  const running = [...chosen.values()].filter((p) => hasPhase(p.plugin));
  if (running.length === 0) return undefined;
  return new PluginChain(running.sort(byPriority), consumers, registry.reportError);
}

function hasPhase(plugin: PreparedPlugin['plugin']): boolean {
  return (
    plugin.rewrite !== undefined ||
    plugin.access !== undefined ||
    plugin.beforeProxy !== undefined ||
    plugin.headerFilter !== undefined ||
    plugin.log !== undefined
  );
}

function prepare(name: string, config: unknown, registry: PluginSource, env: PrepareEnv): PreparedPlugin {
  const plugin = registry.get(name);
  if (!plugin) throw new PluginPrepareError(name, env.ownerId, 'no implementation is loaded');
  try {
    const compiled = plugin.prepare ? plugin.prepare(config, env) : config;
    return { name, priority: plugin.spec.priority, plugin, compiled, origin: 'route' };
  } catch (err) {
    throw new PluginPrepareError(name, env.ownerId, (err as Error).message);
  }
}
