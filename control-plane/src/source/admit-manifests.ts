import { convertLegacyIngress } from './convert-legacy-ingress.js';
import { CLUSTER_SCOPED, resourceField } from './resources-from-objects.js';
import { validateManifest } from './validate-manifest.js';

type KubeObject = Record<string, any> & { kind?: string; metadata?: { name?: string; namespace?: string } };

/**
 * What `kubectl apply` would let into a cluster, for `--manifests`: removed Ingress versions are
 * converted to v1 (with a warning saying so), then each object is checked as the API server
 * would; an invalid one is left out with a warning naming the field, and the rest still serves.
 * Objects of kinds Sluice does not read (Deployments, ...) pass untouched: the translator ignores them.
 */
export function admitManifests(objects: readonly unknown[], warn: (warning: { object: string; message: string }) => void): unknown[] {
  const admitted: unknown[] = [];
  for (const raw of objects) {
    if (raw === null || typeof raw !== 'object') continue;
    let obj = raw as KubeObject;
    if (!resourceField(obj.kind)) {
      admitted.push(obj);
      continue;
    }
    const converted = convertLegacyIngress(obj);
    if (converted) {
      obj = converted.object;
      warn({ object: refOf(obj), message: converted.warning });
    }
    const issues = validateManifest(obj);
    if (issues.length) {
      warn({
        object: refOf(obj),
        message: `refused, as the API server would refuse it: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
      });
      continue;
    }
    admitted.push(obj);
  }
  return admitted;
}

function refOf(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '(no name)';
  return CLUSTER_SCOPED.has(obj.kind ?? '') ? `${obj.kind}/${name}` : `${obj.kind}/${obj.metadata?.namespace ?? 'default'}/${name}`;
}
