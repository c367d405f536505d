// The runner's writes to the test API server, with the one apiserver behaviour the helper does
// not emulate: metadata.generation (1 on create, +1 whenever anything but metadata/status changes),
// which every observedGeneration check of the suite depends on.
import type { KubeApiServer, KubeObject } from '../helpers/kube-api-server.js';

export interface ObjectStore {
  /** Create or update (as `kubectl apply` of the whole object); returns it as stored. */
  apply(obj: KubeObject): KubeObject;
  remove(kind: string, name: string, namespace?: string): boolean;
  get(kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Every object ever applied and still present, in apply order, for listing by kind. */
  list(kind: string, namespace?: string): KubeObject[];
  /** Called after every change (the workload emulation re-syncs EndpointSlices). */
  onChange(listener: (obj: KubeObject, deleted: boolean) => void): void;
}

const specPart = (o: KubeObject) => {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
};

/** Same spec (everything but metadata and status)? */
export function nextGeneration(existing: KubeObject | undefined, incoming: KubeObject): number {
  if (!existing) return 1;
  const current = Number(existing.metadata.generation ?? 1);
  const normalized = { ...incoming, apiVersion: existing.apiVersion, kind: existing.kind };
  return specPart(existing) === specPart(normalized) ? current : current + 1;
}

export function objectStore(api: KubeApiServer): ObjectStore {
  const known = new Map<string, { kind: string; name: string; namespace?: string }>();
  const listeners: ((obj: KubeObject, deleted: boolean) => void)[] = [];
  const keyOf = (kind: string, name: string, namespace?: string) => `${kind}/${namespace ?? ''}/${name}`;
  return {
    apply(obj) {
      const namespace = obj.metadata.namespace;
      const existing = api.get(obj.kind, obj.metadata.name, namespace);
      const generation = nextGeneration(existing, obj);
      const stored = api.apply({
        ...obj,
        metadata: {
          ...obj.metadata,
          generation,
          ...(existing ? { uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp } : {}),
          // The suite's objects get real creation times (route age breaks ties, e.g. TCPRouteMultipleRoutesAttachment).
          ...(existing ? {} : { creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
        },
        // apply() keeps the current status when the object exists; a new one starts without.
      });
      known.set(keyOf(obj.kind, obj.metadata.name, stored.metadata.namespace), {
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: stored.metadata.namespace,
      });
      for (const l of listeners) l(stored, false);
      return stored;
    },
    remove(kind, name, namespace) {
      const existing = api.get(kind, name, namespace);
      const removed = api.remove(kind, name, namespace);
      known.delete(keyOf(kind, name, existing?.metadata.namespace ?? namespace));
      if (existing) for (const l of listeners) l(existing, true);
      return removed;
    },
    get: (kind, name, namespace) => api.get(kind, name, namespace),
    list(kind, namespace) {
      const out: KubeObject[] = [];
      for (const k of known.values()) {
        if (k.kind !== kind || (namespace && k.namespace !== namespace)) continue;
        const o = api.get(k.kind, k.name, k.namespace);
        if (o) out.push(o);
      }
      return out;
    },
    onChange: (l) => listeners.push(l),
  };
}
