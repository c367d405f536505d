import type { ShortCircuit } from './plugin.js';

/** A `{"message": ...}` answer as APISIX plugins give; build constant ones once, at prepare. */
export function jsonAnswer(status: number, message: string, headers: Record<string, string> = {}): ShortCircuit {
  return Object.freeze({
    status,
    headers: Object.freeze({ 'content-type': 'application/json', ...headers }),
    body: `${JSON.stringify({ message })}\n`,
  });
}
