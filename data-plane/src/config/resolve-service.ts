import type { PluginConfig, Route, Service } from '@sluice/model';

/**
 * The route a compiler sees when `route` names `service`: the service fills in what the route
 * leaves out, as APISIX merges a route with its service. Hosts and upstream come from the
 * service only when the route has none; plugins merge by name with the route's winning, then
 * its plugin config's (so a service plugin the plugin config also has is left to the plugin
 * config, which the compiler merges under the route's); `websocket` when the route says nothing.
 * Resolving a resolved route again changes nothing.
 */
export function resolveService(route: Route, service: Service, pluginConfig?: PluginConfig): Route {
  const resolved: Route = { ...route };
  if (!route.match?.hosts?.length && service.hosts?.length) resolved.match = { ...route.match, hosts: service.hosts };
  if (!route.backends?.length && !route.upstream) {
    if (service.backends?.length) resolved.backends = service.backends;
    else if (service.upstream) resolved.upstream = service.upstream;
  }
  if (service.plugins) {
    const plugins = { ...route.plugins };
    for (const [name, config] of Object.entries(service.plugins)) {
      if (!(name in plugins) && !(pluginConfig?.plugins && name in pluginConfig.plugins)) plugins[name] = config;
    }
    if (Object.keys(plugins).length) resolved.plugins = plugins;
  }
  if (route.websocket === undefined && service.websocket !== undefined) resolved.websocket = service.websocket;
  return resolved;
}
