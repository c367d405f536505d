import { NGINX, check, defineAnnotation } from './annotation.js';

export const authTlsVerifyDepth = defineAnnotation({
  key: `${NGINX}auth-tls-verify-depth`,
  validate: check.integer(1, 100),
  scope: 'ingress',
  risk: 'low',
  support: 'partly',
  doc: 'Accepted, but the whole chain up to the CA is always verified (Node.js TLS has no depth limit).',
  apply: () => undefined,
});
