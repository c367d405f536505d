import type { UpstreamOverrides } from '../route-draft.js';
import { NGINX, defineAnnotation } from './annotation.js';

/** The nginx variables a consistent hash can use, as upstream hashOn + key. */
export function parseHashBy(v: string): UpstreamOverrides | undefined {
  const s = v.trim();
  if (s === '$remote_addr' || s === '$binary_remote_addr') return { type: 'chash', hashOn: 'remote_addr' };
  if (s === '$request_uri' || s === '$uri') return { type: 'chash', hashOn: 'uri' };
  const header = /^\$http_([a-z0-9_]+)$/i.exec(s);
  if (header) return { type: 'chash', hashOn: 'header', key: header[1]!.toLowerCase().replace(/_/g, '-') };
  const cookie = /^\$cookie_([A-Za-z0-9_-]+)$/.exec(s);
  if (cookie) return { type: 'chash', hashOn: 'cookie', key: cookie[1]! };
  return undefined;
}

export const upstreamHashBy = defineAnnotation({
  key: `${NGINX}upstream-hash-by`,
  validate: (v) => (parseHashBy(v) ? undefined : `must be one of $remote_addr, $request_uri, $uri, $http_<header>, $cookie_<name>, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'partly',
  doc: 'Upstream `type: chash` with hashOn remote_addr / uri / header / cookie. Combined variables ("$host$uri") and upstream-hash-by-subset are not supported.',
  apply: ({ value, route }) => Object.assign(route.upstream.overrides, parseHashBy(value)),
});
