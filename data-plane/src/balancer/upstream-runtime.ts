import type { InlineUpstream, Upstream } from '@sluice/model';
import { createNodeHealth } from '../health/node-health.js';
import { createAffinityCookie } from './affinity-cookie.js';
import { createPicker } from './create-picker.js';
import { toNodeRefs } from './node-refs.js';
import type { AttemptOutcome, NodeRef, PickContext, Selection, UpstreamRuntime } from './types.js';

export interface UpstreamRuntimeOptions {
  logger?: { warn(obj: object, msg: string): void };
  now?: () => number;
  /** Told of every node health transition (for metrics); also logged at warn level. */
  onHealthChange?(nodeKey: string, healthy: boolean, reason: string): void;
}

/**
 * The live side of one upstream: its nodes, picker, health state and active probes.
 * `select` narrows the nodes to healthy, untried ones of the best priority that has any,
 * honours cookie affinity, then asks the picker. When nothing is unhealthy, tried or split by
 * priority, the picker gets the node array itself (no filtering, no allocation).
 */
export function createUpstreamRuntime(id: string, upstream: Upstream | InlineUpstream, opts: UpstreamRuntimeOptions = {}): UpstreamRuntime {
  const nodes = toNodeRefs(upstream);
  const pickable = nodes.filter((n) => n.weight > 0);
  // Priority groups, highest first (lower ones are backups).
  const priorities = [...new Set(pickable.map((n) => n.priority))].sort((a, b) => b - a);
  const groups = priorities.map((p) => pickable.filter((n) => n.priority === p));
  const fastCandidates = groups.length === 1 ? (pickable.length === nodes.length ? nodes : pickable) : undefined;
  const picker = createPicker(nodes, upstream);
  const affinity = upstream.affinity ? createAffinityCookie(nodes, upstream.affinity) : undefined;
  const health = createNodeHealth(nodes, upstream.checks, {
    now: opts.now,
    onChange(nodeKey, healthy, reason) {
      opts.logger?.warn({ upstream: id, node: nodeKey, healthy, reason }, 'upstream node health changed');
      opts.onHealthChange?.(nodeKey, healthy, reason);
    },
  });

  const candidatesFor = (tried: readonly NodeRef[] | undefined): readonly NodeRef[] => {
    const noneTried = tried === undefined || tried.length === 0;
    if (noneTried && groups.length > 0 && !health.anyUnhealthy()) return fastCandidates ?? groups[0];
    for (const group of groups) {
      const usable = group.filter((n) => health.isHealthy(n.key) && (noneTried || !wasTried(tried, n)));
      // All of a single group usable: reuse the prebuilt array (pickers index it directly).
      if (usable.length > 0) return fastCandidates && usable.length === fastCandidates.length ? fastCandidates : usable;
    }
    return [];
  };

  return {
    id,
    nodes,
    select(ctx: PickContext, tried?: readonly NodeRef[]): Selection | undefined {
      const candidates = candidatesFor(tried);
      if (candidates.length === 0) return undefined;
      if (affinity) {
        const pinned = affinity.nodeFor(ctx);
        if (pinned && candidates.includes(pinned)) return { node: pinned };
        const node = picker.pick(ctx, candidates);
        return node && { node, setCookie: affinity.setCookieFor(node) };
      }
      const node = picker.pick(ctx, candidates);
      return node && { node };
    },
    onAttemptStart(node: NodeRef): void {
      picker.onStart?.(node);
    },
    onAttemptEnd(node: NodeRef, outcome: AttemptOutcome): void {
      picker.onEnd?.(node, outcome);
      health.record(node.key, outcome);
    },
    health: () => health.snapshot(),
    close(): void {
      health.close();
    },
  };
}

function wasTried(tried: readonly NodeRef[], node: NodeRef): boolean {
  for (const t of tried) if (t === node || t.key === node.key) return true;
  return false;
}
