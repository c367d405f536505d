import { NGINX, check, defineAnnotation } from './annotation.js';

export const canaryByHeaderValue = defineAnnotation({
  key: `${NGINX}canary-by-header-value`,
  validate: check.nonEmpty,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'With canary-by-header: this exact value routes to the canary.',
  apply: () => {},
});
