import { NGINX, defineAnnotation } from './annotation.js';

export const canaryByCookie = defineAnnotation({
  key: `${NGINX}canary-by-cookie`,
  validate: (v) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v) ? undefined : `must be a cookie name, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Cookie that routes to the canary: "always" → canary, "never" → main.',
  apply: () => {},
});
