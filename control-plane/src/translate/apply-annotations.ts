import { annotations } from './annotations/index.js';
import type { ValidAnnotations } from './read-annotations.js';
import type { RouteDraft } from './route-draft.js';
import type { Resources } from './types.js';

/** Runs every declared annotation (in registry order) on each route draft of one Ingress. */
export function applyAnnotations(drafts: RouteDraft[], valid: ValidAnnotations, resources: Resources, warn: (message: string) => void): void {
  for (const route of drafts) {
    for (const declared of annotations) {
      const value = valid.get(declared.key) ?? declared.default;
      if (value === undefined) continue;
      declared.apply({ value, ingress: route.ingress, route, annotation: (key) => valid.get(key), resources, warn });
    }
  }
}
