// `gateway delete <type> <id>`: one document through the admin API (its reference guards apply).
import { createAdminClient } from './admin-client.mjs';
import { collectionOf } from './document-type.mjs';
import { UsageError } from './usage-error.mjs';

export async function run(_command, o) {
  const [type, id, extra] = o.positionals;
  if (!type || !id || extra !== undefined) throw new UsageError('give a type and one id: gateway delete <type> <id>');
  const collection = collectionOf(type);
  await createAdminClient(o).request('DELETE', `/${collection}/${encodeURIComponent(id)}`);
  console.log(`${collection}/${id} deleted`);
}
