import { createHash } from 'node:crypto';

/**
 * `k8s-` + 16 hex digits of SHA-256 over a readable key (STYLE.md principle 6): the same
 * Kubernetes object always yields the same document id, so syncing is a set difference.
 */
export function shortHash(key: string): string {
  return 'k8s-' + createHash('sha256').update(key).digest('hex').slice(0, 16);
}
