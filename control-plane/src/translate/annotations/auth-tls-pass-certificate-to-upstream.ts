import { NGINX, check, defineAnnotation } from './annotation.js';

export const authTlsPassCertificateToUpstream = defineAnnotation({
  key: `${NGINX}auth-tls-pass-certificate-to-upstream`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: '`client-cert-headers` `passCertificate`: the client certificate goes upstream URL-encoded in ssl-client-cert (with auth-tls-secret).',
  apply: () => undefined, // read by auth-tls-secret
});
