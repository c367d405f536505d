import type { AppliedState } from '@sluice/model';
import type { LiveDataplane } from '../store/live-state.js';

/** Whether every live data plane applied `modRevision`; with none live, nothing is applied. */
export function appliedState(id: string, modRevision: number, dataplanes: LiveDataplane[]): AppliedState {
  const each = dataplanes.map((dp) => ({ id: dp.id, appliedRevision: dp.appliedRevision, applied: dp.appliedRevision >= modRevision }));
  return { id, modRevision, applied: each.length > 0 && each.every((d) => d.applied), dataplanes: each };
}
