import { NGINX, check, defineAnnotation } from './annotation.js';

export const corsAllowHeaders = defineAnnotation({
  key: `${NGINX}cors-allow-headers`,
  validate: (v) => (v.trim() === '*' ? undefined : check.headerList(v)),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Request headers for enable-cors.',
  apply: () => {},
});
