import { NGINX, defineAnnotation } from './annotation.js';

export const affinity = defineAnnotation({
  key: `${NGINX}affinity`,
  validate: (v) => (v === 'cookie' ? undefined : `only "cookie" is supported, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'low',
  support: 'partly',
  doc: 'Upstream `affinity: {type: cookie}` with session-cookie-name (INGRESSCOOKIE), session-cookie-max-age and session-cookie-path. affinity-mode, session-cookie-secure/samesite/expires/change-on-failure are not supported yet.',
  apply: ({ route, annotation }) => {
    const ttl = annotation(`${NGINX}session-cookie-max-age`);
    const path = annotation(`${NGINX}session-cookie-path`);
    route.upstream.overrides.affinity = {
      type: 'cookie',
      name: annotation(`${NGINX}session-cookie-name`) ?? 'INGRESSCOOKIE',
      ...(ttl !== undefined ? { ttl: Number(ttl) } : {}),
      ...(path !== undefined ? { path } : {}),
    };
  },
});
