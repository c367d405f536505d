import { ownerOf } from '../object-ref.js';
import { upstreamIdOf } from '../route-draft.js';
import { NGINX, defineAnnotation } from './annotation.js';

/** "https://mirror.internal:8443/$request_uri" → scheme, host, port, and a fixed path if any. */
export function parseMirrorTarget(v: string): { scheme: 'http' | 'https'; host: string; port: number; path?: string } | undefined {
  const keepsUri = v.includes('$request_uri');
  let url: URL;
  try {
    url = new URL(v.replace('$request_uri', ''));
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || /\$/.test(v.replace('$request_uri', ''))) return undefined;
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const path = keepsUri || url.pathname === '/' ? undefined : url.pathname;
  return { scheme, host: url.hostname, port: Number(url.port || (scheme === 'https' ? 443 : 80)), ...(path ? { path } : {}) };
}

export const mirrorTarget = defineAnnotation({
  key: `${NGINX}mirror-target`,
  validate: (v) => (parseMirrorTarget(v) ? undefined : `must be an http(s) URL, optionally ending in $request_uri, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'medium',
  support: 'partly',
  doc: '`request-mirror` to an upstream made from the URL (owned by the Ingress). `$request_uri` keeps the request path; other nginx variables, mirror-request-body off and mirror-host are not supported.',
  apply: ({ value, route, ingress }) => {
    const target = parseMirrorTarget(value)!;
    const owner = ownerOf('Ingress', ingress);
    const ref = {
      draft: {
        key: `ingress/${owner.namespace}/${owner.name}/mirror/${target.scheme}://${target.host}:${target.port}`,
        owner,
        nodes: [{ host: target.host, port: target.port, weight: 1 }],
      },
      overrides: target.scheme === 'https' ? { scheme: 'https' as const, passHost: 'node' as const } : { passHost: 'node' as const },
    };
    route.extraUpstreams.push(ref);
    route.plugins['request-mirror'] = { upstreamId: upstreamIdOf(ref), ...(target.path ? { path: target.path } : {}) };
  },
});
