// `gateway translate -f DIR`: what a set of Ingress and Gateway API manifests becomes, without etcd or a cluster.
import path from 'node:path';
import YAML from 'yaml';
import { admitManifests, readManifests, resourcesFromObjects, translateCluster } from '@sluice/control-plane';
import { translateOptions } from './control-plane.mjs';
import { UsageError } from './usage-error.mjs';

export async function run(_command, o) {
  const target = o.file ?? o.positionals[0] ?? o.manifests;
  if (!target) throw new UsageError('which manifests? give -f DIR (a folder or file of Kubernetes manifests)');
  const read = readManifests(path.resolve(target));
  const admission = [];
  const result = translateCluster(resourcesFromObjects(admitManifests(read.objects, (w) => admission.push(w))), translateOptions(o));
  const warnings = [
    ...read.errors.map((e) => ({ object: `file/${path.relative(process.cwd(), e.file)}`, message: `skipped: ${e.message}` })),
    ...admission,
    ...result.warnings,
  ];
  // Gateway API statuses as the status writer would start from them (it adds lastTransitionTime).
  const out = { documents: result.documents, statuses: result.statuses, gatewayStatuses: result.gatewayStatuses, warnings };
  process.stdout.write(YAML.stringify(out, { aliasDuplicateObjects: false }));
  if (warnings.length) console.error(`gateway translate: ${warnings.length} warning(s), listed under warnings:`);
}
