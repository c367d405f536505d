import { NGINX, check, defineAnnotation } from './annotation.js';

export const canaryWeightTotal = defineAnnotation({
  key: `${NGINX}canary-weight-total`,
  validate: check.integer(1, 1_000_000),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Total for canary-weight (default 100).',
  apply: () => {},
});
