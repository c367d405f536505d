import fs from 'node:fs';
import YAML from 'yaml';

/** `gateway get|apply|delete`: thin admin API client. Key from --admin-key / GATEWAY_ADMIN_KEY / .data/admin-key. */
export async function run(command, o) {
  const base = (o['admin-url'] ?? `http://127.0.0.1:${o['admin-port']}`).replace(/\/$/, '');
  let key = o['admin-key'];
  if (!key && fs.existsSync(`${o['data-dir']}/admin-key`)) key = fs.readFileSync(`${o['data-dir']}/admin-key`, 'utf8').trim();
  const call = async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': key ?? '', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const [type, id] = o.positionals;
  if (command === 'get') {
    if (!type) throw new Error('usage: gateway get <type> [id]');
    console.log(JSON.stringify(await call('GET', id ? `/${type}/${id}` : `/${type}`), null, 2));
  } else if (command === 'delete') {
    if (!type || !id) throw new Error('usage: gateway delete <type> <id>');
    console.log(JSON.stringify(await call('DELETE', `/${type}/${id}`)));
  } else if (command === 'apply') {
    if (!o.file) throw new Error('usage: gateway apply -f FILE');
    const text = o.file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(o.file, 'utf8');
    // Each document names its collection with `type` (routes, upstreams, ...); upstreams go first so routes can refer to them.
    const docs = YAML.parseAllDocuments(text).flatMap((d) => {
      const v = d.toJSON();
      return Array.isArray(v) ? v : v ? [v] : [];
    });
    const order = ['upstreams', 'plugin-configs', 'services', 'consumers', 'ssls', 'global-rules', 'routes', 'stream-routes'];
    docs.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    for (const { type: t, ...doc } of docs) {
      if (!t) throw new Error(`a document has no "type" (routes, upstreams, ...): ${JSON.stringify(doc).slice(0, 80)}`);
      const docId = doc.id ?? doc.username;
      const saved = docId ? await call('PUT', `/${t}/${docId}`, doc) : await call('POST', `/${t}`, doc);
      console.log(`${t}/${saved.id ?? docId} applied`);
    }
  }
}
