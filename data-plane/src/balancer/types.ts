import type { IncomingHttpHeaders } from 'node:http';

/** One upstream node as the runtime sees it. `key` is `host:port` and identifies it. */
export interface NodeRef {
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly priority: number;
  readonly key: string;
}

/** What a picker may look at. Built once per request by the proxy; no closures. */
export interface PickContext {
  remoteAddress: string;
  headers: IncomingHttpHeaders;
  /** Raw request URL (path + query). */
  url: string;
  /** Authenticated consumer name, when a plugin set one. */
  consumer?: string;
}

/** How one attempt against a node ended; feeds least_conn, ewma and passive health checks. */
export interface AttemptOutcome {
  /** Response status, when one arrived. */
  status?: number;
  /** Set when no response arrived. */
  error?: 'connect' | 'timeout' | 'reset' | 'protocol';
  /** Time to response headers (or to the error), in ms. */
  latencyMs: number;
}

/** A balancing algorithm over a fixed node list (STYLE.md principle 13). */
export interface Picker {
  /** A node among `candidates` (already filtered to healthy, untried, top priority), or undefined when empty. */
  pick(ctx: PickContext, candidates: readonly NodeRef[]): NodeRef | undefined;
  /** Called when an attempt starts and ends; optional for stateless pickers. */
  onStart?(node: NodeRef): void;
  onEnd?(node: NodeRef, outcome: AttemptOutcome): void;
}

/** The result of choosing a node for one attempt. */
export interface Selection {
  node: NodeRef;
  /** A Set-Cookie value to add to the response when cookie affinity assigned a new node. */
  setCookie?: string;
}

/**
 * The live side of one upstream document: nodes, picker, health state, active probes.
 * Kept across routing-table swaps while the upstream document is unchanged, so health state
 * and counters survive route edits.
 */
export interface UpstreamRuntime {
  readonly id: string;
  readonly nodes: readonly NodeRef[];
  /**
   * Chooses a node for an attempt, skipping nodes in `tried` and unhealthy ones, preferring the
   * highest node priority that has a healthy node. Undefined when no node is left (→ 503).
   */
  select(ctx: PickContext, tried?: readonly NodeRef[]): Selection | undefined;
  onAttemptStart(node: NodeRef): void;
  onAttemptEnd(node: NodeRef, outcome: AttemptOutcome): void;
  /** Node health for /status and metrics. */
  health(): { key: string; healthy: boolean }[];
  /** Stops probes and timers. */
  close(): void;
}
