import { gatewayResourcesOfSnapshot } from '../source/cluster-snapshot.js';
import { resourcesFromObjects } from '../source/resources-from-objects.js';
import type { GatewayResources } from './types.js';

/**
 * Parsed manifests → the Gateway API translator's snapshot, sorted the way the file source
 * sorts them (namespaced objects default to "default"; other kinds are ignored).
 */
export function gatewayResourcesOf(objects: readonly unknown[]): GatewayResources {
  return gatewayResourcesOfSnapshot(resourcesFromObjects(objects));
}
