import { clientAuthOf } from '../client-auth.js';
import { NGINX, defineAnnotation } from './annotation.js';

const SECRET_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The ssl side is done by translate-tls.ts (through clientAuthOf); per route, the headers for the upstream. */
export const authTlsSecret = defineAnnotation({
  key: `${NGINX}auth-tls-secret`,
  validate: (v) => (SECRET_REF.test(v) ? undefined : `must be "namespace/name" of a Secret with ca.crt, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'high',
  support: 'supported',
  doc: "The Secret's `ca.crt` becomes `clientCa` of the ssl documents of the Ingress's TLS hosts (mTLS), and routes of those hosts get `client-cert-headers` (ssl-client-verify, ssl-client-subject-dn, ssl-client-issuer-dn to the upstream). A missing CA is a warning and no check.",
  apply: ({ route, ingress, annotation, resources }) => {
    if (!route.tls) return;
    const valid = new Map<string, string>();
    for (const key of ['auth-tls-secret', 'auth-tls-verify-client', 'auth-tls-error-page']) {
      const value = annotation(`${NGINX}${key}`);
      if (value !== undefined) valid.set(`${NGINX}${key}`, value);
    }
    // Warnings about the CA come once, from translate-tls.
    const auth = clientAuthOf(ingress, valid, resources, () => undefined);
    if (!auth) return;
    const errorPage =
      auth.clientVerify === 'optional' && annotation(`${NGINX}auth-tls-verify-client`) !== 'optional' ? annotation(`${NGINX}auth-tls-error-page`) : undefined;
    route.plugins['client-cert-headers'] = {
      passCertificate: annotation(`${NGINX}auth-tls-pass-certificate-to-upstream`) === 'true',
      ...(errorPage ? { errorPage } : {}),
    };
  },
});
