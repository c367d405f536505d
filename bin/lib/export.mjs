// `gateway export --to apisix`: this gateway's documents as an APISIX standalone file
// (apisix.yaml) on standard output; what APISIX cannot say goes to standard error.
import YAML from 'yaml';
import { composeStandalone } from '@sluice/control-plane';
import { adminCall } from './admin-call.mjs';

export async function run(_command, o) {
  if (o.to !== 'apisix') {
    // A usage error: exit 2, as the CLI's other usage errors.
    console.error(`gateway: export needs --to apisix (the only format it writes), got ${o.to === undefined ? 'none' : JSON.stringify(o.to)}`);
    process.exitCode = 2;
    return;
  }
  // With secrets (an admin key's explicit export): certificates' keys and credentials belong in the file.
  const text = await adminCall(o)('GET', '/api/v1/export?includeSecrets=true');
  const items = YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
  const { text: file, unsaid } = composeStandalone(items);
  process.stdout.write(file);
  for (const what of unsaid) console.error(`gateway export: left out (APISIX cannot say it): ${what}`);
}
