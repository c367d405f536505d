import { NGINX, defineAnnotation } from './annotation.js';

export const sessionCookieName = defineAnnotation({
  key: `${NGINX}session-cookie-name`,
  validate: (v) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v) ? undefined : `must be a cookie name, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Cookie name for affinity cookie (default INGRESSCOOKIE).',
  apply: () => {},
});
