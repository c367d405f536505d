import { NGINX, check, defineAnnotation } from './annotation.js';

/** Read by the path step (the route match becomes a regex); nothing to apply afterwards. */
export const useRegex = defineAnnotation({
  key: `${NGINX}use-regex`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'low',
  support: 'partly',
  doc: 'Prefix and ImplementationSpecific paths become `regex` path matches anchored at the start (`^(?:path).*`). Matching is case-sensitive (nginx uses `~*`), and only this Ingress is affected, not every Ingress of the host.',
  apply: () => {},
});
