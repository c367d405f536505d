import { NGINX, check, defineAnnotation } from './annotation.js';

export const corsAllowCredentials = defineAnnotation({
  key: `${NGINX}cors-allow-credentials`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Credentials for enable-cors (default true).',
  apply: () => {},
});
