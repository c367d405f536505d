import { NGINX, check, defineAnnotation } from './annotation.js';

export const sessionCookieMaxAge = defineAnnotation({
  key: `${NGINX}session-cookie-max-age`,
  validate: check.integer(0, 31_536_000),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Cookie Max-Age seconds for affinity cookie (default: session cookie).',
  apply: () => {},
});
