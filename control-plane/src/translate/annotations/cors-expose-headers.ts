import { NGINX, check, defineAnnotation } from './annotation.js';

export const corsExposeHeaders = defineAnnotation({
  key: `${NGINX}cors-expose-headers`,
  validate: (v) => (v.trim() === '*' ? undefined : check.headerList(v)),
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Response headers the browser may read, for enable-cors.',
  apply: () => {},
});
