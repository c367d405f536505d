import { NGINX, check, defineAnnotation } from './annotation.js';

export const sslRedirect = defineAnnotation({
  key: `${NGINX}ssl-redirect`,
  validate: check.boolean,
  scope: 'location',
  risk: 'low',
  support: 'supported',
  default: 'true',
  doc: 'On by default for hosts listed in spec.tls: `redirect.httpToHttps` with code 308 (ingress-nginx\'s http-redirect-code). "false" turns it off.',
  apply: ({ value, route }) => {
    if (value !== 'true' || !route.tls || route.plugins.redirect) return;
    route.plugins.redirect = { httpToHttps: true, code: 308 };
  },
});
