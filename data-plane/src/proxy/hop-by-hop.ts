/**
 * Hop-by-hop headers (RFC 9110 §7.6.1 plus the legacy ones proxies drop): they describe one
 * connection and are never forwarded. Keys are lower case.
 */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Extra header names a `Connection` value declares hop-by-hop, lower case; undefined when it
 * names only the usual `keep-alive` / `close` / `upgrade` (the common case: no allocation).
 */
export function connectionTokens(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close' || lower === 'upgrade') return undefined;
  let out: string[] | undefined;
  for (const part of lower.split(',')) {
    const token = part.trim();
    if (token === '' || token === 'keep-alive' || token === 'close' || token === 'upgrade') continue;
    (out ??= []).push(token);
  }
  return out;
}
