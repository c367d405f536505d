import { GatewayError, type AdminIdentity, type KindSpec } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';

/** Checks the document before and after a write; throws when the key may not make it. */
export type WriteAuthorizer = (before: Document | undefined, after: Document | undefined) => void;

/**
 * What an editor may write: documents of its kinds (collections) whose labels match its
 * selector, before AND after the change, so an editor can neither take over a document
 * outside its scope nor move one out of it. Admins may write anything; viewers never
 * reach here (the auth hook stops them).
 */
export function authorizeWrite(identity: AdminIdentity | undefined, spec: KindSpec, id: string): WriteAuthorizer | undefined {
  if (!identity || identity.role === 'admin') return undefined;
  const refuse = (reason: string) => new GatewayError('GW_ERR_EDITOR_SCOPE', { name: identity.name, kind: spec.kind, id, reason });
  if (identity.role !== 'editor') throw refuse(`a ${identity.role} key may not write`);
  if (identity.kinds && !identity.kinds.includes(spec.collection)) {
    throw refuse(`its kinds are ${identity.kinds.join(', ') || '(none)'}, not ${spec.collection}`);
  }
  const selector = Object.entries(identity.labels ?? {});
  if (selector.length === 0) return undefined;
  const wanted = selector.map(([k, v]) => `${k}=${v}`).join(',');
  const matches = (doc: Document) => {
    const labels = (doc.labels ?? {}) as Record<string, unknown>;
    return selector.every(([k, v]) => labels[k] === v);
  };
  return (before, after) => {
    if (before && !matches(before)) throw refuse(`the stored document does not carry the labels ${wanted}`);
    if (after && !matches(after)) throw refuse(`the new document does not carry the labels ${wanted}`);
  };
}
