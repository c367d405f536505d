import { NGINX, check, defineAnnotation } from './annotation.js';

export const authSignin = defineAnnotation({
  key: `${NGINX}auth-signin`,
  validate: (v) => (v.includes('$') ? `nginx variables are not supported in auth-signin, got ${JSON.stringify(v)}` : check.url(v)),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`forward-auth` `signin.url`: with auth-url, a 401 from the auth service becomes a 302 to this URL with `rd=<the original URL>`.',
  apply: () => undefined, // read by auth-url
});
