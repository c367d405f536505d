import fs from 'node:fs';

/** What a connection error code means, in words. */
const NETWORK_CAUSES = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  CERT_HAS_EXPIRED: 'its certificate has expired',
};

/** A failed admin API call; `status` is the HTTP status (undefined when no answer came). */
export class AdminApiError extends Error {
  constructor(message, { status, body } = {}) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * The admin API as `gateway get|apply|diff|delete` use it: base URL from --admin-url (else
 * http://127.0.0.1:<admin-port>), key from --admin-key / GATEWAY_ADMIN_KEY / <data-dir>/admin-key.
 * Every failure names the URL and the cause (refused, not found, 401 with the key's source, ...).
 */
export function createAdminClient(o) {
  const base = (o['admin-url'] ?? `http://127.0.0.1:${o['admin-port']}`).replace(/\/$/, '');
  const keyFile = `${o['data-dir']}/admin-key`;
  let key = o['admin-key'];
  let keySource = key ? (o.sources['admin-key'] === 'env' ? 'GATEWAY_ADMIN_KEY' : '--admin-key') : undefined;
  if (!key && fs.existsSync(keyFile)) {
    key = fs.readFileSync(keyFile, 'utf8').trim();
    keySource = keyFile;
  }

  /** `request('GET', '/routes', {query, body, type})` → the parsed answer (JSON, or text for other types). */
  async function request(method, path, { query, body, type = 'application/json' } = {}) {
    const url = `${base}/api/v1${path}${query ? `?${new URLSearchParams(query)}` : ''}`;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: { 'x-api-key': key ?? '', ...(body !== undefined ? { 'content-type': type } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const code = err?.cause?.code ?? err?.code;
      const cause =
        err?.name === 'TimeoutError' ? 'no answer in 30 s' : (NETWORK_CAUSES[code] ?? `${code ? `${code}: ` : ''}${err?.cause?.message ?? err.message}`);
      throw new AdminApiError(
        `cannot reach the admin API at ${base} (${method} ${url}): ${cause}. Is the control plane running there? Set --admin-url or --admin-port.`,
      );
    }
    const text = await res.text();
    const json = parseJson(text);
    if (!res.ok) {
      const what = json?.code ? `${json.code}: ${json.message}` : text.slice(0, 300) || res.statusText;
      const hint =
        res.status === 401
          ? keySource
            ? ` (the key from ${keySource} was refused)`
            : ` (no admin key: pass --admin-key, set GATEWAY_ADMIN_KEY, or keep it in ${keyFile})`
          : '';
      throw new AdminApiError(`${method} ${url}: ${res.status} ${what}${hint}`, { status: res.status, body: json });
    }
    return json ?? text;
  }
  return { base, request };
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
