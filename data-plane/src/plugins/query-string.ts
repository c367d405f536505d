/** Drops every `name=...` (or bare `name`) pair from a raw query string, keeping the rest byte for byte. */
export function removeQueryParam(rawQuery: string, name: string): string {
  if (!rawQuery) return rawQuery;
  return rawQuery
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      return safeDecode(key) !== name;
    })
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
