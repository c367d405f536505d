import { NGINX, check, defineAnnotation } from './annotation.js';

export const permanentRedirectCode = defineAnnotation({
  key: `${NGINX}permanent-redirect-code`,
  validate: check.integer(300, 308),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'The code of permanent-redirect (default 301).',
  apply: () => {},
});
