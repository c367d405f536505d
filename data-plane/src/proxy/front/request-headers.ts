import type { IncomingHttpHeaders } from 'node:http';

/** Headers node:http keeps only the first of (the rest are joined with ', ', cookies with '; '). */
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** `req.headers` as node:http builds it from the raw `[name, value, ...]` list. */
export function requestHeaders(raw: string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = { __proto__: null } as unknown as Record<string, string | string[]>;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const prior = headers[name];
    if (prior === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (name === 'set-cookie') (prior as string[]).push(value);
    else if (name === 'cookie') headers[name] = `${prior}; ${value}`;
    else if (!FIRST_WINS.has(name)) headers[name] = `${prior}, ${value}`;
  }
  return headers as IncomingHttpHeaders;
}
