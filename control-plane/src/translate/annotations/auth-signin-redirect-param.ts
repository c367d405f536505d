import { NGINX, defineAnnotation } from './annotation.js';

export const authSigninRedirectParam = defineAnnotation({
  key: `${NGINX}auth-signin-redirect-param`,
  validate: (v) => (/^[A-Za-z0-9_.~-]{1,128}$/.test(v) ? undefined : `must be a query parameter name, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`forward-auth` `signin.redirectParam`: the query parameter carrying the original URL (default rd).',
  apply: () => undefined, // read by auth-url
});
