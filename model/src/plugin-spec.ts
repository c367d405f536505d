import type { Static, TSchema } from '@sinclair/typebox';
import type { ValidationIssue } from './validate.js';

/** The document kinds that carry a `plugins` map, as a plugin spec names them. */
export type PluginAttachment = 'route' | 'consumer' | 'plugin-config' | 'global-rule' | 'stream-route';

/**
 * What every part of the system knows about a plugin: its name, when it runs, the shape of
 * its config. The data plane binds an implementation to it by name; the admin API and the
 * dashboard only ever need the spec (STYLE.md principle 12).
 */
export interface PluginSpec<S extends TSchema = TSchema> {
  /** The APISIX name, e.g. `key-auth`. */
  name: string;
  /** Higher runs first within a phase (APISIX priorities). */
  priority: number;
  version: string;
  description: string;
  attachTo: readonly PluginAttachment[];
  /** The config schema on routes, plugin configs and global rules. */
  schema: S;
  /**
   * Auth plugins: on a consumer the config is the credential (`{key}`, `{username, password}`),
   * not the route-side options, so it has its own schema. Consumer plugins of type `auth` are
   * never merged into a route's chain.
   */
  consumerSchema?: TSchema;
  type?: 'auth';
  /** Cross-field rules for the consumer credential (`consumerSchema`) the schema cannot say. */
  consumerCheck?(credential: any): ValidationIssue[];
  /** Cross-field rules the schema cannot say; paths are relative to the config. */
  check?(config: Static<S>): ValidationIssue[];
  example: Static<S>;
  /**
   * Upstreams the config names (traffic-split's weighted upstreams): they must exist, cannot
   * be deleted while referred to, and get runtimes in the data plane like route backends.
   */
  upstreamRefs?(config: Static<S>): string[];
  /** Behaviour notes for docs/plugins.md. */
  notes?: readonly string[];
}

/** Identity with type inference: the example and check are typed by the schema. */
export function definePluginSpec<S extends TSchema>(spec: PluginSpec<S>): PluginSpec<S> {
  return spec;
}

/** The config type of a spec, for implementations: `PluginConfigOf<typeof corsSpec>`. */
export type PluginConfigOf<P extends PluginSpec> = P extends PluginSpec<infer S> ? Static<S> : never;
