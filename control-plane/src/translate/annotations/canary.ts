import { NGINX, check, defineAnnotation } from './annotation.js';

/** Read by the canary step, which merges this Ingress into the main Ingress's routes. */
export const canary = defineAnnotation({
  key: `${NGINX}canary`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'medium',
  support: 'supported',
  doc: "A canary Ingress adds a `traffic-split` plugin to the main Ingress's route for the same host and path, with rules in ingress-nginx's order: canary-by-header (always / never / by-header-value / by-header-pattern), then canary-by-cookie (always / never), then canary-weight out of canary-weight-total. A canary with no main Ingress is reported and ignored.",
  apply: () => {},
});
