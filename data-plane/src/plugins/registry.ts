import { pluginSpecByName, registerPluginSpec } from '@sluice/model';
import { builtinPlugins } from './builtin-plugins.js';
import type { Plugin, PluginErrorReporter, PluginSource } from './plugin.js';
import type { PluginLogger } from './plugin-logger.js';
import { PluginState } from './plugin-state.js';

export type { PluginLogger } from './plugin-logger.js';

/**
 * Binds model specs to implementations by name: the built-ins plus custom plugins from
 * `--plugins-dir`. One per worker; it also owns the per-worker plugin state.
 */
export class PluginRegistry implements PluginSource {
  readonly state = new PluginState();
  readonly reportError: PluginErrorReporter;
  private readonly plugins = new Map<string, Plugin>();

  constructor(
    plugins: Iterable<Plugin>,
    readonly log: PluginLogger = silentLogger,
  ) {
    this.reportError = (err, plugin, phase, ctx) => log.error({ err, plugin, phase, routeId: ctx.routeId }, 'plugin failed; the request got a 500');
    for (const p of plugins) this.register(p);
  }

  get(name: string): Plugin | undefined {
    return this.plugins.get(name);
  }

  list(): Plugin[] {
    return [...this.plugins.values()].sort((a, b) => b.spec.priority - a.spec.priority);
  }

  /** Adds an implementation; a custom one also becomes known to document validation. */
  register(plugin: Plugin): void {
    if (this.plugins.has(plugin.spec.name)) throw new Error(`plugin ${plugin.spec.name} is already registered`);
    if (pluginSpecByName(plugin.spec.name) !== plugin.spec) registerPluginSpec(plugin.spec);
    this.plugins.set(plugin.spec.name, plugin);
  }
}

export function createPluginRegistry(custom: Iterable<Plugin> = [], log?: PluginLogger): PluginRegistry {
  const registry = new PluginRegistry(builtinPlugins, log);
  for (const plugin of custom) {
    try {
      registry.register(plugin);
    } catch (err) {
      registry.log.error({ plugin: plugin.spec.name, err }, 'custom plugin skipped');
    }
  }
  return registry;
}

const silentLogger: PluginLogger = { error() {}, warn() {} };
