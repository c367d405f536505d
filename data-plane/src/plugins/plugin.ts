import type { Consumer, PluginSpec } from '@sluice/model';
import type { PhaseResult, ResponseHead } from './plugin-answers.js';
import type { PluginContext } from './plugin-context.js';
import type { PluginLogger } from './plugin-logger.js';
import type { PluginState } from './plugin-state.js';

export type { PhaseResult, ResponseHead, ShortCircuit } from './plugin-answers.js';

/** A consumer an auth plugin found, with the credential config that matched. */
export interface ConsumerCredential {
  consumer: Consumer;
  credential: any;
}

/** What auth plugins need of the snapshot's consumers (a ConsumerIndex). */
export interface ConsumerLookup {
  find(pluginName: string, key: string): ConsumerCredential | undefined;
}

/** Called when a plugin throws or rejects; the request then gets a 500 and the log says why. */
export type PluginErrorReporter = (err: unknown, plugin: string, phase: string, ctx: PluginContext) => void;

/** What compiling plugins needs of the registry: implementations by name and the per-worker services. */
export interface PluginSource {
  get(name: string): Plugin | undefined;
  readonly state: PluginState;
  readonly log: PluginLogger;
  readonly reportError: PluginErrorReporter;
}

/** What `prepare` may use besides the config; one per compile. */
export interface PrepareEnv {
  /** The route (or `consumer:<username>` for a consumer's plugins) the config belongs to. */
  ownerId: string;
  /** Credentials of the current snapshot, for auth plugins. */
  consumers: ConsumerLookup;
  /** Per-worker state that outlives recompiles (counters, caches). */
  state: PluginState;
  /** For what happens later, outside a request (a Redis that went away); absent in some tests. */
  log?: PluginLogger;
}

/**
 * A plugin implementation, bound to its model spec by name (DESIGN.md "Plugins").
 * `prepare` runs once per route at compile time and may throw to reject a config the schema
 * could not (the route is then rejected alone). Phases run in priority order:
 * rewrite → (consumer merge) → access → beforeProxy → [upstream] → headerFilter → log.
 * `rewrite`, `access` and `beforeProxy` may answer the request (return a ShortCircuit) and
 * may be async; return a Promise only when there is real waiting to do.
 */
export interface Plugin<Config = any, Compiled = any> {
  spec: PluginSpec;
  prepare?(config: Config, env: PrepareEnv): Compiled;
  /** Auth plugins: the index key of a consumer's credential (the API key, the username). */
  credentialKey?(credential: any): string | undefined;
  rewrite?(ctx: PluginContext, compiled: Compiled): PhaseResult | Promise<PhaseResult>;
  access?(ctx: PluginContext, compiled: Compiled): PhaseResult | Promise<PhaseResult>;
  beforeProxy?(ctx: PluginContext, compiled: Compiled): PhaseResult | Promise<PhaseResult>;
  headerFilter?(ctx: PluginContext, compiled: Compiled, response: ResponseHead): void;
  log?(ctx: PluginContext, compiled: Compiled, status: number, durationMs: number): void;
}

/** Typing help for a plugin module: the compiled type flows from `prepare` into the phases. */
export function definePlugin<Config, Compiled>(plugin: Plugin<Config, Compiled>): Plugin<Config, Compiled> {
  return plugin;
}
