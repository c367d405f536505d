import { compareAge, objectRef } from './object-ref.js';
import type { RouteDraft } from './route-draft.js';

/**
 * Two Ingresses claiming the same host and path: the oldest (creationTimestamp, then
 * namespace/name) keeps it, the others are told which Ingress won.
 */
export function resolveConflicts(drafts: RouteDraft[], warn: (object: string, message: string) => void): RouteDraft[] {
  const winners = new Map<string, RouteDraft>();
  const sorted = [...drafts].sort((a, b) => compareAge(a.ingress, b.ingress) || a.name.localeCompare(b.name));
  for (const draft of sorted) {
    const winner = winners.get(draft.conflictKey);
    if (!winner) {
      winners.set(draft.conflictKey, draft);
      continue;
    }
    if (winner.ingress === draft.ingress) {
      warn(objectRef('Ingress', draft.ingress), `${draft.name}: the same host and path appear twice in this Ingress (${winner.name} wins); ignored`);
    } else {
      warn(
        objectRef('Ingress', draft.ingress),
        `${draft.name}: host ${draft.host ?? '*'} path ${draft.path} (${draft.pathType}) is already served by the older ${objectRef('Ingress', winner.ingress)}; ignored`,
      );
    }
  }
  return drafts.filter((d) => winners.get(d.conflictKey) === d);
}
