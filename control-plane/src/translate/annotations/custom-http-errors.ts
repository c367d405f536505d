import { upstreamIdOf } from '../route-draft.js';
import { NGINX, defineAnnotation, splitList } from './annotation.js';
import { defaultBackendUpstream } from './default-backend.js';

export const customHttpErrors = defineAnnotation({
  key: `${NGINX}custom-http-errors`,
  validate: (v) => {
    const codes = splitList(v);
    if (codes.length === 0) return 'must list status codes, e.g. "404,503"';
    const bad = codes.filter((c) => !/^\d{3}$/.test(c) || Number(c) < 300 || Number(c) > 599);
    return bad.length ? `status codes must be 300 to 599, got ${bad.map((c) => JSON.stringify(c)).join(', ')}` : undefined;
  },
  scope: 'location',
  risk: 'low',
  support: 'partly',
  doc: "`error-pages` plugin: an upstream answer with one of these statuses is replaced by the answer of the default-backend annotation's Service, asked at `/` with X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name, X-Service-Port and X-Request-ID. Needs the default-backend annotation (the controller-wide default backend is not used); requests with a body get the original answer.",
  apply: ({ value, route, ingress, annotation, resources, warn }) => {
    const backendName = annotation(`${NGINX}default-backend`);
    if (backendName === undefined) {
      warn(`annotation ${NGINX}custom-http-errors ignored: it needs the ${NGINX}default-backend annotation`);
      return;
    }
    const target = defaultBackendUpstream(backendName, ingress, resources, () => undefined);
    if (!target) return; // default-backend already warned
    route.extraUpstreams.push(target);
    const own = /^service\/[^/]+\/([^/]+)\/port\/([^/]*)/.exec(route.upstream.draft.key);
    route.plugins['error-pages'] = {
      upstreamId: upstreamIdOf(target),
      statuses: [...new Set(splitList(value).map(Number))].sort((a, b) => a - b),
      headers: {
        'X-Namespace': ingress.metadata?.namespace ?? 'default',
        'X-Ingress-Name': ingress.metadata?.name ?? '',
        'X-Service-Name': own?.[1] ?? '',
        'X-Service-Port': own?.[2] ?? '',
      },
    };
  },
});
