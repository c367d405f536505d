import { NGINX, check, defineAnnotation } from './annotation.js';

export const authTlsErrorPage = defineAnnotation({
  key: `${NGINX}auth-tls-error-page`,
  validate: check.url,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'With verify-client on: the handshake accepts any client (ssl `clientVerify: optional`) and `client-cert-headers` redirects requests without a verified certificate to this URL (302).',
  apply: () => undefined, // read by auth-tls-secret
});
