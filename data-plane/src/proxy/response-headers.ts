import { connectionTokens, HOP_BY_HOP } from './hop-by-hop.js';

/**
 * The upstream's raw response headers (`[name, value, ...]`) minus hop-by-hop ones and any
 * header its `Connection` names, as a flat array for `res.writeHead`.
 */
export function forwardableResponseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') connection = connection === undefined ? raw[i + 1] : `${connection}, ${raw[i + 1]}`;
      continue;
    }
    out.push(raw[i], raw[i + 1]);
  }
  const extra = connectionTokens(connection);
  if (extra === undefined) return out;
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) if (!extra.includes(out[i].toLowerCase())) kept.push(out[i], out[i + 1]);
  return kept;
}
