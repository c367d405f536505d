import { GatewayError, isManaged, validateDocument, type KindSpec, type ValidationIssue } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';

export interface PrepareOptions {
  /** ?force=true: the caller may write a Kubernetes owner. */
  force: boolean;
  /** The version being replaced, whose createdAt is kept. */
  previous?: Document;
  now?: Date;
}

/**
 * Turns what a client sent into the document to store: the server owns the key fields
 * (`id`, and the kind's own id field such as a consumer's username), `owner` (admin unless
 * forced) and the timestamps. Throws the catalog error a client should see.
 */
export function prepareDocument(spec: KindSpec, id: string, input: Document, options: PrepareOptions): Document {
  for (const field of new Set(['id', spec.idField])) {
    const sent = input[field];
    if (sent !== undefined && sent !== id) throw new GatewayError('GW_ERR_ID_MISMATCH', { bodyId: sent, urlId: id });
  }
  const now = (options.now ?? new Date()).toISOString();
  const doc: Document = {
    ...input,
    id,
    [spec.idField]: id,
    owner: input.owner ?? { kind: 'admin' },
    createdAt: options.previous?.createdAt ?? now,
    updatedAt: now,
  };
  const issues = validateDocument(spec, doc);
  if (issues.length) throw validationError(spec, issues);
  if (!options.force && isManaged(doc as { owner?: { kind: 'admin' } })) {
    throw validationError(spec, [{ path: '/owner/kind', message: 'a Kubernetes owner may only be set with ?force=true' }]);
  }
  return doc;
}

export function validationError(spec: KindSpec, issues: ValidationIssue[]): GatewayError {
  const first = issues[0];
  return new GatewayError('GW_ERR_VALIDATION', { kind: spec.kind, detail: `${first.path} ${first.message}` }, issues);
}
