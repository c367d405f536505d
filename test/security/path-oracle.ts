/** The path of a request-target with every escape decoded once, as an upstream framework reads it. */
export function decodedPath(url: string): string {
  return url.split('?')[0].replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * How a lenient upstream framework might resolve a path: every escape decoded once (%2F
 * included), backslashes as slashes, dot segments removed, slashes merged. A path attack works
 * when this lands under a protected prefix on an upstream the route for it does not lead to.
 */
export function resolvedByUpstream(url: string): string {
  const path = decodedPath(url).replace(/\\/g, '/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  // A path that ends in a directory (`/`, `/.`, `/..`) keeps its trailing slash, as RFC 3986 §5.2.4 does.
  const directory = /\/(\.{0,2})$/.test(path) && out.length > 0;
  return '/' + out.join('/') + (directory ? '/' : '');
}
