import type { Plugin } from './plugin.js';

/** A plugin with its config compiled for one owner (a route, a global rule, a consumer). */
export interface PreparedPlugin {
  name: string;
  priority: number;
  plugin: Plugin;
  compiled: unknown;
  /** Consumer plugins run their rewrite phase after authentication, in a pass of their own. */
  origin: 'route' | 'consumer';
}

/** Thrown when a plugin's config cannot be compiled; the owning route is rejected alone. */
export class PluginPrepareError extends Error {
  constructor(
    readonly plugin: string,
    readonly ownerId: string,
    detail: string,
  ) {
    super(`plugin ${plugin} of ${ownerId}: ${detail}`);
    this.name = 'PluginPrepareError';
  }
}

/** Higher priority first; the name breaks ties so the order never depends on map order. */
export function byPriority(a: PreparedPlugin, b: PreparedPlugin): number {
  return b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
