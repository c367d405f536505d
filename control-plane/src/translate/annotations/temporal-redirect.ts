import { NGINX, check, defineAnnotation } from './annotation.js';

export const temporalRedirect = defineAnnotation({
  key: `${NGINX}temporal-redirect`,
  validate: (v) => check.nonEmpty(v) ?? (/^(https?:\/\/|\/)\S*$/.test(v) ? undefined : `must be a URL or a path, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'medium',
  support: 'supported',
  doc: '`redirect.uri` with code 302. permanent-redirect wins when both are set (as in ingress-nginx).',
  apply: ({ value, route }) => {
    if (route.plugins.redirect) return;
    route.plugins.redirect = { uri: value, code: 302 };
  },
});
