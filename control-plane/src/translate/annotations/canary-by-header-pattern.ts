import { NGINX, defineAnnotation } from './annotation.js';

export const canaryByHeaderPattern = defineAnnotation({
  key: `${NGINX}canary-by-header-pattern`,
  validate: (v) => {
    try {
      new RegExp(v);
      return undefined;
    } catch {
      return `is not a valid regular expression: ${JSON.stringify(v)}`;
    }
  },
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'With canary-by-header: values matching this regex route to the canary (ignored when by-header-value is set).',
  apply: () => {},
});
