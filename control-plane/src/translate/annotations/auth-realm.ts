import { NGINX, defineAnnotation } from './annotation.js';

export const authRealm = defineAnnotation({
  key: `${NGINX}auth-realm`,
  validate: (v) => (/^[^"\r\n]{0,256}$/.test(v) ? undefined : `must be at most 256 characters without quotes or line breaks, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: "The realm of auth-type basic's `WWW-Authenticate` challenge.",
  apply: () => {},
});
