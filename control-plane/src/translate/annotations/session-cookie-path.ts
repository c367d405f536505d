import { NGINX, check, defineAnnotation } from './annotation.js';

export const sessionCookiePath = defineAnnotation({
  key: `${NGINX}session-cookie-path`,
  validate: check.path,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Cookie path for affinity cookie (default /).',
  apply: () => {},
});
