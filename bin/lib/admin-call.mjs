import fs from 'node:fs';

/**
 * A caller of this admin API for commands that talk to a running control plane: base URL from
 * --admin-url (default http://127.0.0.1:<admin-port>), key from --admin-key / GATEWAY_ADMIN_KEY
 * or the `gateway up` key file (<data-dir>/admin-key). Resolves with the reply body (JSON
 * parsed, else text); a failed call throws naming the status and the body.
 */
export function adminCall(o) {
  const base = (o['admin-url'] ?? `http://127.0.0.1:${o['admin-port']}`).replace(/\/$/, '');
  let key = o['admin-key'];
  if (!key && fs.existsSync(`${o['data-dir']}/admin-key`)) key = fs.readFileSync(`${o['data-dir']}/admin-key`, 'utf8').trim();
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-api-key': key ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text}`), { status: res.status, body: parsed });
    return parsed;
  };
}
