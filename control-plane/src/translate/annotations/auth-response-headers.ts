import { NGINX, check, defineAnnotation } from './annotation.js';

export const authResponseHeaders = defineAnnotation({
  key: `${NGINX}auth-response-headers`,
  validate: check.headerList,
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Auth answer headers copied to the upstream request, for auth-url.',
  apply: () => {},
});
