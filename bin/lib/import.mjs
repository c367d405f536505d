// `gateway import --from apisix FILE [--dry-run]`: an APISIX standalone file (apisix.yaml, or its
// JSON form) into this gateway, through the admin API's import (one etcd transaction).
import fs from 'node:fs';
import { convertStandalone } from '@sluice/control-plane';
import { adminCall } from './admin-call.mjs';

export async function run(_command, o) {
  const file = o.file ?? o.positionals[0];
  if (o.from !== 'apisix') return usageError(`import needs --from apisix (the only source it reads), got ${o.from === undefined ? 'none' : JSON.stringify(o.from)}`);
  if (!file) return usageError('usage: gateway import --from apisix FILE [--dry-run]');
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
  const call = adminCall(o);
  let plan;
  try {
    plan = await call('POST', `/api/v1/import${o['dry-run'] ? '?dryRun=true' : ''}`, items);
  } catch (err) {
    if (!err.body?.errors) throw err;
    for (const e of err.body.errors) console.log(`${e.collection}/${e.id}: refused: ${e.path} ${e.message}`);
    console.error('gateway import: the gateway refused the import; nothing was imported');
    process.exitCode = 1;
    return;
  }
  const verb = o['dry-run'] ? 'would be' : 'were';
  console.log(`${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged: they ${verb} written${o['dry-run'] ? ' (dry run: nothing written)' : ` at revision ${plan.revision ?? '(none)'}`}`);
}

/** Usage errors exit 2 (the CLI's convention). */
function usageError(message) {
  console.error(`gateway: ${message}`);
  process.exitCode = 2;
}
