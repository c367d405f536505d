// `gateway get <type> [id] [-o table|wide|json|yaml|name]`: documents through the admin API, as
// kubectl prints objects. -o yaml and -o json print {collection, id, document} items (the admin
// export format), so what they print can be given back to `gateway apply -f` unchanged.
import YAML from 'yaml';
import { createAdminClient } from './admin-client.mjs';
import { collectionOf, documentId } from './document-type.mjs';
import { formatTable, tableColumns } from './table-columns.mjs';
import { UsageError } from './usage-error.mjs';

const OUTPUTS = ['table', 'wide', 'json', 'yaml', 'name'];
/** The admin API's largest page. */
const PAGE = 1000;

export async function run(_command, o) {
  const [type, id, extra] = o.positionals;
  if (!type) throw new UsageError('which type? gateway get <type> [id], e.g. gateway get routes');
  if (extra !== undefined) throw new UsageError(`one id at most, got "${id}" and "${extra}"`);
  const output = o.output ?? 'table';
  if (!OUTPUTS.includes(output)) throw new UsageError(`-o must be one of ${OUTPUTS.join(', ')}, got "${output}"`);
  const collection = collectionOf(type);
  const admin = createAdminClient(o);

  const items = id === undefined ? await listAll(admin, collection) : [await admin.request('GET', `/${collection}/${encodeURIComponent(id)}`)];
  const exported = items.map((document) => ({ collection, id: documentId(collection, document), document }));
  process.stdout.write(render(exported, { output, collection, single: id !== undefined }));
  if (exported.length === 0 && (output === 'table' || output === 'wide')) console.error(`No ${collection} found.`);
}

async function listAll(admin, collection) {
  const out = [];
  let cursor;
  do {
    const page = await admin.request('GET', `/${collection}`, { query: { limit: String(PAGE), ...(cursor ? { cursor } : {}) } });
    out.push(...(page.items ?? []));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

function render(items, { output, collection, single }) {
  if (output === 'json') return JSON.stringify(single ? items[0] : { items }, null, 2) + '\n';
  if (output === 'yaml') return items.map((item) => YAML.stringify(item, { lineWidth: 0 })).join('---\n');
  if (output === 'name') return items.map((item) => `${item.collection}/${item.id}\n`).join('');
  if (items.length === 0) return '';
  return formatTable(tableColumns(collection, output === 'wide'), items) + '\n';
}
