import type { Consumer } from '@sluice/model';
import type { ConsumerCredential, ConsumerLookup, PluginSource, PrepareEnv } from './plugin.js';
import { PluginPrepareError, byPriority, type PreparedPlugin } from './prepared-plugin.js';

/**
 * The consumers of one config snapshot, indexed per auth plugin (key-auth key → consumer,
 * basic-auth username → consumer, ...) and with their non-auth plugins prepared, built once
 * per snapshot so authentication is one map lookup.
 */
export class ConsumerIndex implements ConsumerLookup {
  private readonly byPlugin = new Map<string, Map<string, ConsumerCredential>>();
  private readonly plugins = new Map<Consumer, readonly PreparedPlugin[]>();
  /** Duplicate credentials and configs that failed to prepare; the first consumer (by username) wins. */
  readonly problems: string[] = [];

  static readonly empty = new ConsumerIndex();

  find(pluginName: string, key: string): ConsumerCredential | undefined {
    return this.byPlugin.get(pluginName)?.get(key);
  }

  /** The consumer's own plugins that merge into a route's chain (auth credentials excluded). */
  pluginsOf(consumer: Consumer): readonly PreparedPlugin[] {
    return this.plugins.get(consumer) ?? NONE;
  }

  /** @internal used by buildConsumerIndex */
  addCredential(pluginName: string, key: string, entry: ConsumerCredential): void {
    let map = this.byPlugin.get(pluginName);
    if (!map) this.byPlugin.set(pluginName, (map = new Map()));
    const taken = map.get(key);
    if (taken) this.problems.push(`${pluginName} credential of consumer ${entry.consumer.username} duplicates ${taken.consumer.username}'s; ignored`);
    else map.set(key, entry);
  }

  /** @internal used by buildConsumerIndex */
  setPlugins(consumer: Consumer, plugins: readonly PreparedPlugin[]): void {
    if (plugins.length) this.plugins.set(consumer, plugins);
  }
}

const NONE: readonly PreparedPlugin[] = Object.freeze([]);

export function buildConsumerIndex(consumers: Iterable<Consumer>, registry: PluginSource): ConsumerIndex {
  const index = new ConsumerIndex();
  const sorted = [...consumers].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  for (const consumer of sorted) {
    const own: PreparedPlugin[] = [];
    const env: PrepareEnv = { ownerId: `consumer/${consumer.username}`, consumers: index, state: registry.state, log: registry.log };
    for (const [name, config] of Object.entries(consumer.plugins ?? {})) {
      const plugin = registry.get(name);
      if (!plugin) {
        index.problems.push(`consumer ${consumer.username}: plugin ${name} has no implementation; ignored`);
        continue;
      }
      if (plugin.spec.type === 'auth') {
        const key = plugin.credentialKey?.(config);
        if (key !== undefined) index.addCredential(name, key, { consumer, credential: config });
        continue;
      }
      try {
        const compiled = plugin.prepare ? plugin.prepare(config, env) : config;
        own.push({ name, priority: plugin.spec.priority, plugin, compiled, origin: 'consumer' });
      } catch (err) {
        const e = new PluginPrepareError(name, env.ownerId, (err as Error).message);
        index.problems.push(`${e.message}; ignored`);
      }
    }
    index.setPlugins(consumer, own.sort(byPriority));
  }
  return index;
}
