// `gateway apply -f FILE [--dry-run]`: the documents of FILE (what `get -o yaml|json` and the
// admin export print) through the admin API's transactional import: all are written in one etcd
// transaction, or none when any is invalid. Prints one line per document, as kubectl does.
import { AdminApiError, createAdminClient } from './admin-client.mjs';
import { contentTypeOf, readDocumentsFile } from './documents-file.mjs';

export async function run(_command, o) {
  const text = readDocumentsFile(o);
  const admin = createAdminClient(o);
  const dryRun = o['dry-run'];
  let plan;
  try {
    plan = await admin.request('POST', '/import', { query: dryRun ? { dryRun: 'true' } : undefined, body: text, type: contentTypeOf(text) });
  } catch (err) {
    // A refused import answers 400 with the plan: say which documents are wrong.
    if (!(err instanceof AdminApiError) || !err.body?.errors?.length) throw err;
    plan = err.body;
  }
  const suffix = dryRun ? ' (dry run)' : '';
  for (const { collection, id } of plan.create ?? []) console.log(`${collection}/${id} created${suffix}`);
  for (const { collection, id } of plan.update ?? []) console.log(`${collection}/${id} configured${suffix}`);
  for (const { collection, id } of plan.unchanged ?? []) console.log(`${collection}/${id} unchanged${suffix}`);
  if (plan.errors?.length) {
    for (const e of plan.errors) console.error(`error: ${[e.collection, e.id].filter(Boolean).join('/') || 'file'}${e.path ? ` ${e.path}` : ''}: ${e.message}`);
    throw new Error(`${plan.errors.length} invalid document(s)${dryRun ? '' : '; nothing was written'}`);
  }
}
