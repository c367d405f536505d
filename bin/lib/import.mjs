// `gateway import --from apisix FILE [--dry-run]`: an APISIX standalone file (apisix.yaml, or its
// JSON form) into this gateway, through the admin API's import (one etcd transaction).
import fs from 'node:fs';
import { convertStandalone } from '@sluice/control-plane';
import { createAdminClient } from './admin-client.mjs';
import { UsageError } from './usage-error.mjs';

export async function run(_command, o) {
  const file = o.file ?? o.positionals[0];
  if (o.from !== 'apisix')
    throw new UsageError(`import needs --from apisix (the only source it reads), got ${o.from === undefined ? 'none' : JSON.stringify(o.from)}`);
  if (!file) throw new UsageError('import needs a FILE: gateway import --from apisix FILE [--dry-run]');
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  const { items, outcomes } = convertStandalone(text);
  for (const outcome of outcomes) {
    if (outcome.becomes) console.log(`${outcome.object} → ${outcome.becomes}`);
    else for (const issue of outcome.issues) console.log(`${outcome.object}: refused: ${issue.field}: ${issue.message}`);
  }
  const refused = outcomes.filter((x) => !x.becomes).length;
  if (refused) {
    console.error(`gateway import: ${refused} object(s) refused; nothing was imported (fix them, or remove them from the file, and import again)`);
    process.exitCode = 1;
    return;
  }
  const admin = createAdminClient(o);
  let plan;
  try {
    plan = await admin.request('POST', '/import', { query: o['dry-run'] ? { dryRun: 'true' } : undefined, body: items });
  } catch (err) {
    if (!err.body?.errors) throw err;
    for (const e of err.body.errors) console.log(`${e.collection}/${e.id}: refused: ${e.path} ${e.message}`);
    console.error('gateway import: the gateway refused the import; nothing was imported');
    process.exitCode = 1;
    return;
  }
  const verb = o['dry-run'] ? 'would be' : 'were';
  console.log(
    `${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged: they ${verb} written${o['dry-run'] ? ' (dry run: nothing written)' : ` at revision ${plan.revision ?? '(none)'}`}`,
  );
}
