import type { InlineUpstream, Upstream } from '@sluice/model';
import type { NodeRef } from './types.js';

/** `host:port`, with IPv6 literals bracketed so the key stays unambiguous. */
export function nodeKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The upstream's nodes as immutable NodeRefs, with schema defaults (weight 1, priority 0) applied. */
export function toNodeRefs(upstream: Upstream | InlineUpstream): NodeRef[] {
  return upstream.nodes.map((n) =>
    Object.freeze({
      host: n.host,
      port: n.port,
      weight: n.weight ?? 1,
      priority: n.priority ?? 0,
      key: nodeKey(n.host, n.port),
    }),
  );
}
