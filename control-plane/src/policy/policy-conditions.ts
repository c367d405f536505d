import type { Condition } from './crd-schemas.js';

/** What the status of one RoutePolicy or Consumer should become (times are added by the status writer). */
export interface PolicyStatus {
  kind: 'RoutePolicy' | 'Consumer';
  namespace: string;
  name: string;
  /** metadata.generation of the object the conditions describe. */
  generation?: number;
  conditions: Condition[];
}

/** One condition; `observedGeneration` comes from the object. */
export function condition(type: Condition['type'], ok: boolean, reason: string, message: string, generation?: number): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

/** The condition of a type, if the status has it. */
export function findCondition(status: PolicyStatus | undefined, type: Condition['type']): Condition | undefined {
  return status?.conditions.find((c) => c.type === type);
}
