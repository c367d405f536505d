import { NGINX, defineAnnotation } from './annotation.js';

export const corsAllowMethods = defineAnnotation({
  key: `${NGINX}cors-allow-methods`,
  validate: (v) =>
    /^\s*[A-Za-z]+(\s*,\s*[A-Za-z]+)*\s*$/.test(v) || v.trim() === '*' ? undefined : `must be comma-separated methods, got ${JSON.stringify(v)}`,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Methods for enable-cors.',
  apply: () => {},
});
