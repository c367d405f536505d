import { NGINX, check, defineAnnotation } from './annotation.js';

export const forceSslRedirect = defineAnnotation({
  key: `${NGINX}force-ssl-redirect`,
  validate: check.boolean,
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`redirect.httpToHttps` with code 308 even when the host has no TLS section (TLS terminated in front of the gateway).',
  apply: ({ value, route }) => {
    if (value !== 'true' || route.plugins.redirect) return;
    route.plugins.redirect = { httpToHttps: true, code: 308 };
  },
});
