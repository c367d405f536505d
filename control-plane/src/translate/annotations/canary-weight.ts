import { NGINX, check, defineAnnotation } from './annotation.js';

export const canaryWeight = defineAnnotation({
  key: `${NGINX}canary-weight`,
  validate: check.integer(0, 1_000_000),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Share of the remaining requests sent to the canary, out of canary-weight-total.',
  apply: () => {},
});
