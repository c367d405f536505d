import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Resources } from './types.js';

/** The ConfigMap a "namespace/name" flag names (no namespace: default), with its data sorted. */
export function findConfigMap(resources: Resources, ref: string): { object: string; data: [string, string][] } | undefined {
  const [namespace, name] = ref.includes('/') ? ref.split('/', 2) : ['default', ref];
  const found: V1ConfigMap | undefined = resources.configMaps.find((c) => (c.metadata?.namespace ?? 'default') === namespace && c.metadata?.name === name);
  if (!found) return undefined;
  return {
    object: `ConfigMap/${namespace}/${name}`,
    data: Object.entries(found.data ?? {})
      .map(([k, v]) => [k, String(v)] as [string, string])
      .sort(([a], [b]) => a.localeCompare(b)),
  };
}
