import { NGINX, check, defineAnnotation } from './annotation.js';

export const canaryByHeader = defineAnnotation({
  key: `${NGINX}canary-by-header`,
  validate: check.headerList,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Header that routes to the canary: "always" → canary, "never" → main, else next rule.',
  apply: () => {},
});
