import type { PluginConfig, Route, Service } from '@sluice/model';
import { LayeredMap } from './layered-map.js';
import { resolveService } from './resolve-service.js';
import type { Versioned } from './types.js';

type Routes = ReadonlyMap<string, Versioned<Route>>;

/** The stored documents a resolution reads. */
export interface ServiceInputs {
  routes: Routes;
  services: ReadonlyMap<string, Versioned<Service>>;
  pluginConfigs: ReadonlyMap<string, Versioned<PluginConfig>>;
}

/** Ids written since the last snapshot, per collection. */
export interface ServiceChanges {
  routes?: Iterable<string>;
  services?: Iterable<string>;
  pluginConfigs?: Iterable<string>;
}

export interface ResolvedRoutes {
  /** What the compiler gets as `routes`: each route that names a service merged with it. */
  routes: Routes;
  /** Routes naming a service that does not exist (left out), by route id → service id. */
  missing: ReadonlyMap<string, string>;
}

/**
 * Keeps the routes the compiler sees in step with the stored routes and the services they name
 * (`serviceId`), incrementally: a snapshot re-resolves only the routes that changed and the
 * routes of the services (or plugin configs) that changed. While no route names a service, the
 * stored routes map is handed on as it is, so configurations without services pay nothing.
 * A resolved route's modRevision is the newer of the route's and the service's, so what the
 * compiler caches by revision (an inline upstream's runtime) is rebuilt when either changes.
 */
export class ServiceRoutes {
  private resolved: LayeredMap<Versioned<Route>> | undefined;
  private readonly serviceOf = new Map<string, string>();
  private readonly routesOf = new Map<string, Set<string>>();
  private readonly missing = new Map<string, string>();

  /** Everything again (a full listing). */
  reset(inputs: ServiceInputs): ResolvedRoutes {
    this.resolved = undefined;
    this.serviceOf.clear();
    this.routesOf.clear();
    this.missing.clear();
    return this.update(inputs, { routes: inputs.routes.keys() });
  }

  update(inputs: ServiceInputs, changed: ServiceChanges): ResolvedRoutes {
    const affected = new Set(changed.routes ?? []);
    for (const serviceId of changed.services ?? []) for (const id of this.routesOf.get(serviceId) ?? []) affected.add(id);
    if (changed.pluginConfigs) {
      const configs = new Set(changed.pluginConfigs);
      for (const id of this.serviceOf.keys()) {
        const configId = inputs.routes.get(id)?.doc.pluginConfigId;
        if (configId !== undefined && configs.has(configId)) affected.add(id);
      }
    }
    const updates = new Map<string, Versioned<Route> | undefined>();
    for (const id of affected) {
      this.forget(id);
      const stored = inputs.routes.get(id);
      const serviceId = stored?.doc.serviceId;
      if (!stored || serviceId === undefined) {
        updates.set(id, stored);
        continue;
      }
      this.remember(id, serviceId);
      const service = inputs.services.get(serviceId);
      if (!service) {
        this.missing.set(id, serviceId);
        updates.set(id, undefined);
        continue;
      }
      const config = stored.doc.pluginConfigId ? inputs.pluginConfigs.get(stored.doc.pluginConfigId)?.doc : undefined;
      updates.set(id, {
        doc: resolveService(stored.doc, service.doc, config),
        modRevision: Math.max(stored.modRevision, service.modRevision),
        createRevision: stored.createRevision,
      });
    }
    if (this.serviceOf.size === 0) {
      // No route names a service: the stored map is exactly what the compiler needs.
      this.resolved = undefined;
      return { routes: inputs.routes, missing: this.missing };
    }
    this.resolved = (this.resolved ?? LayeredMap.of(new Map(inputs.routes))).with(updates);
    return { routes: this.resolved, missing: this.missing };
  }

  private remember(routeId: string, serviceId: string): void {
    this.serviceOf.set(routeId, serviceId);
    let ids = this.routesOf.get(serviceId);
    if (!ids) this.routesOf.set(serviceId, (ids = new Set()));
    ids.add(routeId);
  }

  private forget(routeId: string): void {
    this.missing.delete(routeId);
    const serviceId = this.serviceOf.get(routeId);
    if (serviceId === undefined) return;
    this.serviceOf.delete(routeId);
    const ids = this.routesOf.get(serviceId);
    ids?.delete(routeId);
    if (ids?.size === 0) this.routesOf.delete(serviceId);
  }
}
