// `gateway export --to apisix`: this gateway's documents as an APISIX standalone file
// (apisix.yaml) on standard output; what APISIX cannot say goes to standard error.
import YAML from 'yaml';
import { composeStandalone } from '@sluice/control-plane';
import { createAdminClient } from './admin-client.mjs';
import { UsageError } from './usage-error.mjs';

export async function run(_command, o) {
  if (o.to !== 'apisix')
    throw new UsageError(`export needs --to apisix (the only format it writes), got ${o.to === undefined ? 'none' : JSON.stringify(o.to)}`);
  // With secrets (an admin key's explicit export): certificates' keys and credentials belong in the file.
  const text = await createAdminClient(o).request('GET', '/export', { query: { includeSecrets: 'true' } });
  const items = YAML.parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean);
  const { text: file, unsaid } = composeStandalone(items);
  process.stdout.write(file);
  for (const what of unsaid) console.error(`gateway export: left out (APISIX cannot say it): ${what}`);
}
