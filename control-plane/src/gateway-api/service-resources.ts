import type { Resources } from '../translate/types.js';
import type { GatewayResources } from './types.js';

const adapters = new WeakMap<GatewayResources, Resources>();

/**
 * The Ingress translator's view of the same snapshot, so its Service/EndpointSlice resolution
 * (and its per-snapshot index cache) is reused as is. Cached so the index is built once.
 */
export function serviceResources(resources: GatewayResources): Resources {
  let adapted = adapters.get(resources);
  if (!adapted) {
    adapted = {
      ingresses: [],
      ingressClasses: [],
      services: resources.services,
      endpointSlices: resources.endpointSlices,
      endpoints: resources.endpoints,
      secrets: resources.secrets,
      configMaps: resources.configMaps,
    };
    adapters.set(resources, adapted);
  }
  return adapted;
}
