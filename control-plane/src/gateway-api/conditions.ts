import type { Condition, GatewayApiObject } from './types.js';

/** A condition stamped with the object's generation (the conformance suite checks observedGeneration everywhere). */
export function condition(obj: GatewayApiObject, type: string, ok: boolean, reason: string, message = ''): Condition {
  const generation = obj.metadata?.generation;
  return {
    type,
    status: ok ? 'True' : 'False',
    reason,
    message: message || (ok ? reason : `${type} is false: ${reason}`),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}
