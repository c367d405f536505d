import type { PolicyTargetRef } from './crd-schemas.js';

/** A translated route document, as far as policy attachment needs it. */
export interface RouteDocument {
  id: string;
  owner: { kind: string; namespace?: string; name?: string };
  plugins?: Record<string, unknown>;
  /** Listener sections a Gateway API route is attached to, when the translator records them. */
  [field: string]: unknown;
}

/**
 * HOOK for the Gateway API translator (control-plane/src/gateway-api/): the route documents a
 * Gateway or HTTPRoute target stands for, or `undefined` while that kind cannot be resolved
 * (the policy then gets `Accepted=False, reason TargetNotFound`).
 *
 * Today: an HTTPRoute target attaches to the routes owned by that HTTPRoute (none exist until the
 * Gateway API translator emits them, so the answer is "not found"); a Gateway target is not
 * resolvable yet. When the Gateway API translator lands, make `Gateway` return the routes attached
 * to that Gateway's listeners (filtered by `sectionName`), and let HTTPRoute honour `sectionName`
 * (a rule name).
 */
export function resolveGatewayApiTarget(ref: PolicyTargetRef, namespace: string, routes: readonly RouteDocument[]): RouteDocument[] | undefined {
  if (ref.kind === 'HTTPRoute') {
    const owned = routes.filter((r) => r.owner.kind === 'HTTPRoute' && r.owner.namespace === namespace && r.owner.name === ref.name);
    return owned.length > 0 ? owned : undefined;
  }
  return undefined;
}
