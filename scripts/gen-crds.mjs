// Writes crds/sluice.dev_routepolicies.yaml, crds/sluice.dev_consumers.yaml and
// crds/kustomization.yaml from the model's schemas. Run `npm run crds` (it builds first);
// control-plane/src/policy/crd-schema.test.ts fails when the committed files are stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdManifests, renderCrdFile } from '../control-plane/dist/policy/crd-manifests.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../crds');
for (const file of crdManifests()) {
  fs.writeFileSync(path.join(dir, file.file), renderCrdFile(file));
  console.log(`wrote crds/${file.file}`);
}
