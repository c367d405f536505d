import type { PathMatch } from '@sluice/model';

/**
 * APISIX's route `uri` (lua-resty-radixtree) ↔ a Sluice path match:
 * - `/foo` is exact;
 * - `/foo/*` matches everything under `/foo/`: a segment-aware prefix `/foo` (which also matches
 *   `/foo` itself), and back to `/foo/*`; `/*` is the prefix `/`;
 * - anything else with `*` (any characters) or `:name` (one segment) is a regex Sluice matches
 *   against the whole path, built so it decodes back to the same uri.
 */
export function uriToPath(uri: string): PathMatch {
  if (!uri.includes('*') && !/\/:/.test(uri)) return { type: 'exact', value: uri };
  if (/^(\/[^*:]*)?\/\*$/.test(uri) && !/\/:/.test(uri)) {
    const prefix = uri.slice(0, -2);
    return { type: 'prefix', value: prefix === '' ? '/' : prefix };
  }
  let regex = '';
  for (const token of uri.match(/\/:[A-Za-z_][A-Za-z0-9_]*|\*|[^*]/g) ?? []) {
    if (token === '*') regex += '.*';
    else if (token.startsWith('/:')) regex += `/(?<${token.slice(2)}>[^/]+)`;
    else regex += escapeRegex(token);
  }
  return { type: 'regex', value: regex };
}

/** The uri for a path, or undefined when APISIX's uri syntax cannot say it (then it goes into `vars`). */
export function pathToUri(path: PathMatch): string | undefined {
  if (path.type === 'exact') return path.value.includes('*') || /\/:/.test(path.value) ? undefined : path.value;
  if (path.type === 'prefix') return path.value === '/' ? '/*' : `${path.value.replace(/\/+$/, '')}/*`;
  let uri = '';
  let rest = path.value;
  while (rest.length) {
    const param = /^\/\(\?<([A-Za-z_][A-Za-z0-9_]*)>\[\^\/\]\+\)/.exec(rest);
    if (param) {
      uri += `/:${param[1]}`;
      rest = rest.slice(param[0].length);
    } else if (rest.startsWith('.*')) {
      uri += '*';
      rest = rest.slice(2);
    } else if (/^\\[\\^$.|?*+()[\]{}/-]/.test(rest)) {
      uri += rest[1];
      rest = rest.slice(2);
    } else if (/^[^\\^$.|?*+()[\]{}]/.test(rest)) {
      uri += rest[0];
      rest = rest.slice(1);
    } else {
      return undefined;
    }
  }
  return uri.startsWith('/') ? uri : undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
