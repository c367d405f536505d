import type { DocumentApplyState } from '@sluice/model/browser';

const STYLE: Record<DocumentApplyState, string> = { applied: 'state-ready', rejected: 'state-down', pending: 'state-stale' };

/** Whether the live data planes serve a document: applied, rejected (the reason on hover), or pending. */
export function AppliedBadge({ state }: { state?: { state: DocumentApplyState; reason?: string } }) {
  if (!state) return null;
  return (
    <span className={`badge ${STYLE[state.state]}`} data-applied={state.state} title={state.reason}>
      {state.state}
    </span>
  );
}
