import { NGINX, defineAnnotation } from './annotation.js';

const MODES = ['on', 'off', 'optional', 'optional_no_ca'];

export const authTlsVerifyClient = defineAnnotation({
  key: `${NGINX}auth-tls-verify-client`,
  validate: (v) => (MODES.includes(v) ? undefined : `must be one of ${MODES.join(', ')}, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'high',
  support: 'supported',
  doc: 'ssl `clientVerify`: on (default) refuses clients without a certificate the CA signed; optional asks and lets everyone in (ssl-client-verify says the outcome); optional_no_ca asks without checking the signer; off disables auth-tls-secret.',
  apply: () => undefined, // read by auth-tls-secret
});
