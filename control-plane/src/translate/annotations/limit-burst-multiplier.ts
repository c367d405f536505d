import { NGINX, check, defineAnnotation } from './annotation.js';

export const limitBurstMultiplier = defineAnnotation({
  key: `${NGINX}limit-burst-multiplier`,
  validate: check.integer(1, 1000),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Burst = limit × multiplier (default 5) for limit-rps and limit-rpm.',
  apply: () => {},
});
