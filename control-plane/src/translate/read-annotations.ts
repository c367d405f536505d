import type { V1Ingress } from '@kubernetes/client-node';
import type { ValidAnnotations } from './valid-annotations.js';

export type { ValidAnnotations } from './valid-annotations.js';
import { annotationByKey, NGINX } from './annotations/index.js';
import { isSnippetKey, SNIPPET_REFUSAL } from './annotations/snippets.js';
import { canonicalKeys, isNginxIncAnnotation, NGINX_INC_ANNOTATION_NOTES, NGINX_INC_ANNOTATIONS } from './nginx-inc-keys.js';

/**
 * Checks every `nginx.ingress.kubernetes.io/*` and `sluice.dev/*` annotation: a bad value or
 * an unknown key is a warning naming the annotation, and only that annotation is dropped.
 * `nginx.org/*` annotations (NGINX Inc.'s controller) that mean an ingress-nginx one are taken
 * as that one, with a warning naming it; the others are warnings.
 */
export function readAnnotations(ingress: V1Ingress, warn: (message: string) => void): ValidAnnotations {
  const valid = new Map<string, string>();
  const all = Object.entries(ingress.metadata?.annotations ?? {}).map(([k, v]) => [k, String(v)] as const);
  const entries = canonicalKeys(all, NGINX_INC_ANNOTATIONS, warn, 'annotation').sort(([a], [b]) => a.localeCompare(b));
  for (const [key, value] of entries) {
    if (isNginxIncAnnotation(key)) {
      const note = NGINX_INC_ANNOTATION_NOTES[key];
      warn(
        `annotation ${key} belongs to the NGINX Inc. controller, not ingress-nginx; ${note ?? 'not supported by Sluice'}; ignored (see docs/ingress-nginx-migration.md)`,
      );
      continue;
    }
    if (!key.startsWith(NGINX) && !key.startsWith('sluice.dev/')) continue;
    const declared = annotationByKey.get(key);
    if (!declared && isSnippetKey(key)) {
      warn(`annotation ${key} ignored: ${SNIPPET_REFUSAL}`);
      continue;
    }
    if (!declared) {
      warn(`annotation ${key} is not supported by Sluice; ignored (see docs/ingress-nginx-migration.md)`);
      continue;
    }
    const error = declared.validate(value);
    if (error) warn(`annotation ${key} ignored: ${error}`);
    else valid.set(key, value);
  }
  return valid;
}
