import type { V1Ingress } from '@kubernetes/client-node';
import { annotationByKey, NGINX } from './annotations/index.js';

/** The annotations of one Ingress that Sluice understands and that passed their checks. */
export type ValidAnnotations = ReadonlyMap<string, string>;

/**
 * Checks every `nginx.ingress.kubernetes.io/*` and `sluice.dev/*` annotation: a bad value or
 * an unknown key is a warning naming the annotation, and only that annotation is dropped.
 */
export function readAnnotations(ingress: V1Ingress, warn: (message: string) => void): ValidAnnotations {
  const valid = new Map<string, string>();
  const entries = Object.entries(ingress.metadata?.annotations ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, value] of entries) {
    if (!key.startsWith(NGINX) && !key.startsWith('sluice.dev/')) continue;
    const declared = annotationByKey.get(key);
    if (!declared) {
      warn(`annotation ${key} is not supported by Sluice; ignored (see docs/ingress-nginx-migration.md)`);
      continue;
    }
    const error = declared.validate(String(value));
    if (error) warn(`annotation ${key} ignored: ${error}`);
    else valid.set(key, String(value));
  }
  return valid;
}
