/**
 * Helpers over Node's flat raw header arrays (`[name, value, name, value, ...]`, names in any
 * case), the form the proxy reads from upstream responses and writes to clients. They edit
 * the array in place: no copy per response.
 */

/** The first value of a header, or undefined. */
export function getHeader(flat: readonly string[], lowerCaseName: string): string | undefined {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === lowerCaseName) return flat[i + 1];
  return undefined;
}

export function removeHeader(flat: string[], lowerCaseName: string): void {
  let w = 0;
  for (let r = 0; r < flat.length; r += 2) {
    if (flat[r].toLowerCase() === lowerCaseName) continue;
    flat[w++] = flat[r];
    flat[w++] = flat[r + 1];
  }
  flat.length = w;
}

/** Replaces every line of the header with one. */
export function setHeader(flat: string[], name: string, value: string): void {
  removeHeader(flat, name.toLowerCase());
  flat.push(name, value);
}

export function addHeader(flat: string[], name: string, value: string): void {
  flat.push(name, value);
}

/** Turns a plugin's `{name: value}` headers into a flat array. */
export function toFlatHeaders(headers: Readonly<Record<string, string | number>> | undefined): string[] {
  const flat: string[] = [];
  if (headers) for (const name in headers) flat.push(name, String(headers[name]));
  return flat;
}
