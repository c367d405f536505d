import type { GatewayResources } from '../gateway-api/types.js';
import type { Resources } from '../translate/types.js';

/** The Gateway API kinds (and Namespaces, for allowedRoutes selectors) that the Ingress translator does not read. */
export type GatewayApiFields = Omit<GatewayResources, keyof Resources>;

/**
 * One snapshot of everything a source watches: what the Ingress translator reads plus the
 * Gateway API kinds, so both translators run on the very same state in one sync.
 */
export type ClusterSnapshot = Resources & GatewayApiFields;

/** The Gateway API translator's view of a snapshot (the shared kinds are the same arrays). */
export function gatewayResourcesOfSnapshot(snapshot: ClusterSnapshot): GatewayResources {
  return { ...snapshot, routePolicies: snapshot.routePolicies ?? [] };
}
