import { NGINX, check, defineAnnotation } from './annotation.js';

export const corsMaxAge = defineAnnotation({
  key: `${NGINX}cors-max-age`,
  validate: check.integer(-1, 31_536_000),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Preflight cache seconds for enable-cors (default 1728000).',
  apply: () => {},
});
