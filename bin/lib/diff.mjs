// `gateway diff -f FILE`: what `apply -f FILE` would change, as a unified diff of YAML per
// document (the import's dry run says what is created, updated or unchanged). Exit status as
// kubectl diff: 0 no differences, 1 differences, 2 usage error, 3 any other failure.
import { createTwoFilesPatch } from 'diff';
import YAML from 'yaml';
import { AdminApiError, createAdminClient } from './admin-client.mjs';
import { contentTypeOf, readDocumentsFile } from './documents-file.mjs';

const yaml = (doc) => (doc === undefined ? '' : YAML.stringify(doc, { lineWidth: 0, sortMapEntries: true }));

export async function run(_command, o) {
  const text = readDocumentsFile(o);
  const admin = createAdminClient(o);
  let plan;
  try {
    plan = await admin.request('POST', '/import', { query: { dryRun: 'true' }, body: text, type: contentTypeOf(text) });
  } catch (err) {
    throw Object.assign(err instanceof AdminApiError ? err : new Error(err.message), { exitCode: 3 });
  }
  if (plan.errors?.length) {
    for (const e of plan.errors) console.error(`error: ${[e.collection, e.id].filter(Boolean).join('/') || 'file'}${e.path ? ` ${e.path}` : ''}: ${e.message}`);
    throw Object.assign(new Error(`${plan.errors.length} invalid document(s)`), { exitCode: 3 });
  }
  const patches = [...(plan.create ?? []).map((c) => patch(c, undefined, c.after)), ...(plan.update ?? []).map((u) => patch(u, u.before, u.after))];
  process.stdout.write(patches.join(''));
  process.exitCode = patches.length ? 1 : 0;
}

function patch({ collection, id }, before, after) {
  const name = `${collection}/${id}`;
  return createTwoFilesPatch(before === undefined ? '/dev/null' : `live/${name}`, `file/${name}`, yaml(before), yaml(after), undefined, undefined, {
    context: 3,
  });
}
