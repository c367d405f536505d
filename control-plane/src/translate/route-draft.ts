import type { V1Ingress } from '@kubernetes/client-node';
import type { InlineUpstream, RouteMatch, Timeouts } from '@sluice/model';
import { shortHash } from './short-hash.js';
import type { UpstreamDraft } from './service-upstream.js';

/** Upstream fields an annotation may set; a Service port with overrides becomes its own upstream. */
export type UpstreamOverrides = Partial<Omit<InlineUpstream, 'nodes'>>;

/** An upstream as a route refers to it: the Service port plus this route's overrides. */
export interface UpstreamRef {
  draft: UpstreamDraft;
  overrides: UpstreamOverrides;
}

/** A route being built from one Ingress path (or default backend), before it becomes a document. */
export interface RouteDraft {
  /** Readable name, e.g. "ingress/default/shop/rule/0/path/1"; the id is its hash. */
  name: string;
  /** The Ingress it comes from (for the controller's default backend: the Service). */
  ingress: V1Ingress;
  ownerKind?: 'Service';
  /** Lower-cased rule host; undefined = any host. */
  host?: string;
  /** The path as written in the Ingress, and its pathType. */
  path: string;
  pathType: string;
  /** Host and normalized path: two Ingresses with the same key conflict. */
  conflictKey: string;
  match: RouteMatch;
  upstream: UpstreamRef;
  /** More upstreams this route refers to through plugins (canary, mirror). */
  extraUpstreams: UpstreamRef[];
  plugins: Record<string, unknown>;
  timeout?: Timeouts;
  priority?: number;
  /** spec.tls lists this route's host (ssl-redirect defaults to on). */
  tls: boolean;
}

/**
 * The id of an upstream: the Service port's key, plus the overrides when there are any, so
 * Ingresses that agree share one upstream and ones that differ (backend-protocol, load-balance)
 * each get their own, all without any shared mutable state.
 */
export function upstreamIdOf(ref: UpstreamRef): string {
  return shortHash(upstreamKeyOf(ref));
}

export function upstreamKeyOf(ref: UpstreamRef): string {
  if (Object.keys(ref.overrides).length === 0) return ref.draft.key;
  // Keys sorted at every depth: a key list given to JSON.stringify would also filter the nested
  // objects' keys (tls, affinity, ...), so upstreams differing only inside them would collide.
  return `${ref.draft.key}#${JSON.stringify(ref.overrides, sortedKeys)}`;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
