import type { InlineUpstream } from '@sluice/model';
import { hash32 } from './hash32.js';
import { readCookie } from './read-cookie.js';
import type { NodeRef, PickContext } from './types.js';

export interface AffinityCookie {
  /** The node the request's cookie names, if it names one of ours. */
  nodeFor(ctx: PickContext): NodeRef | undefined;
  /** The Set-Cookie value that pins a client to `node` (precomputed: no per-request strings). */
  setCookieFor(node: NodeRef): string;
}

/**
 * Cookie affinity (`upstream.affinity`). The cookie value is a short stable hash of the node
 * key, so clients never learn internal addresses and the value survives restarts and
 * re-ordering of the node list.
 */
export function createAffinityCookie(nodes: readonly NodeRef[], affinity: NonNullable<InlineUpstream['affinity']>): AffinityCookie {
  const name = affinity.name ?? 'sluice_affinity';
  const path = affinity.path ?? '/';
  const maxAge = affinity.ttl ? `; Max-Age=${affinity.ttl}` : '';
  const byToken = new Map<string, NodeRef>();
  const cookieByNode = new Map<NodeRef, string>();
  for (const node of nodes) {
    const token = hash32(node.key).toString(36);
    if (!byToken.has(token)) byToken.set(token, node);
    cookieByNode.set(node, `${name}=${token}; Path=${path}; HttpOnly; SameSite=Lax${maxAge}`);
  }
  return {
    nodeFor(ctx) {
      const token = readCookie(ctx.headers.cookie, name);
      return token === undefined ? undefined : byToken.get(token);
    },
    setCookieFor: (node) => cookieByNode.get(node) ?? `${name}=${hash32(node.key).toString(36)}; Path=${path}; HttpOnly; SameSite=Lax${maxAge}`,
  };
}
