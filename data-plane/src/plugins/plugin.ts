import type { PluginSpec } from '@sluice/model';
import type { ConsumerIndex } from './consumer-index.js';
import type { PluginContext } from './plugin-context.js';
import type { PluginState } from './plugin-state.js';
import type { PluginLogger } from './registry.js';

/** A plugin's own answer to a request: the proxy sends it and never calls the upstream. */
export interface ShortCircuit {
  status: number;
  headers?: Readonly<Record<string, string | number>>;
  body?: string | Buffer;
}

/** What a request phase returns: nothing to go on, or a response. */
export type PhaseResult = ShortCircuit | undefined | void;

/**
 * The response head as `headerFilter` sees and edits it. `headers` is the flat raw array
 * (edit with flat-headers.ts). A `body` set here replaces the upstream's body.
 */
export interface ResponseHead {
  status: number;
  headers: string[];
  body?: string | Buffer;
}

/** What `prepare` may use besides the config; one per compile. */
export interface PrepareEnv {
  /** The route (or `consumer:<username>` for a consumer's plugins) the config belongs to. */
  ownerId: string;
  /** Credentials of the current snapshot, for auth plugins. */
  consumers: ConsumerIndex;
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
