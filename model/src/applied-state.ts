import type { AppliedState, DocumentApplyState } from './admin-api.js';

/** What a data plane reports about the documents it serves (its registration, as the admin API reads it). */
export interface DataplaneServingReport {
  id: string;
  /** Lowest etcd revision every worker of it has taken in. */
  appliedRevision: number;
  /** `<collection>/<id>` → why that document's current version is not served. */
  rejected?: Readonly<Record<string, string>>;
  /** Rejections left out of `rejected` past its bound. */
  rejectedOmitted?: number;
  /** `<collection>/<id>` of documents taken in but not served yet (a port still binding). */
  pending?: readonly string[];
}

/**
 * Whether one data plane serves the version of a document written at `modRevision`: it has
 * not taken that revision in yet (pending), it refuses the document (rejected, with the data
 * plane's reason), it is still binding its port (pending), or it serves it (applied).
 */
export function documentStateOn(dp: DataplaneServingReport, key: string, modRevision: number): { state: DocumentApplyState; reason?: string } {
  if (dp.appliedRevision < modRevision) return { state: 'pending', reason: `has applied revision ${dp.appliedRevision}, not yet ${modRevision}` };
  const reason = dp.rejected?.[key];
  if (reason !== undefined) return { state: 'rejected', reason };
  if (dp.pending?.includes(key)) return { state: 'pending', reason: 'is still opening its listening socket' };
  if (dp.rejectedOmitted)
    return { state: 'pending', reason: `rejects more documents than it lists (${dp.rejectedOmitted} left out); this one may be among them` };
  return { state: 'applied' };
}

/**
 * A document's state over every live data plane: rejected when one rejects it, applied when
 * all serve it, pending otherwise (also when no data plane is live: nothing serves it).
 */
export function appliedStateOf(id: string, key: string, modRevision: number, dataplanes: readonly DataplaneServingReport[]): AppliedState {
  const each = dataplanes.map((dp) => {
    const { state, reason } = documentStateOn(dp, key, modRevision);
    return { id: dp.id, appliedRevision: dp.appliedRevision, applied: state === 'applied', state, ...(reason !== undefined ? { reason } : {}) };
  });
  const rejected = each.find((d) => d.state === 'rejected');
  if (rejected) return { id, modRevision, applied: false, state: 'rejected', reason: `data plane ${rejected.id}: ${rejected.reason}`, dataplanes: each };
  if (each.length === 0) return { id, modRevision, applied: false, state: 'pending', reason: 'no data plane is live', dataplanes: each };
  const waiting = each.find((d) => d.state === 'pending');
  if (waiting) return { id, modRevision, applied: false, state: 'pending', reason: `data plane ${waiting.id} ${waiting.reason}`, dataplanes: each };
  return { id, modRevision, applied: true, state: 'applied', dataplanes: each };
}
