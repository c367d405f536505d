import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const clientCertHeadersSpec = definePluginSpec({
  name: 'client-cert-headers',
  priority: 22500,
  version: '1.0',
  description:
    'Passes what the TLS handshake learnt about the client certificate to the upstream: ssl-client-verify, ssl-client-subject-dn, ssl-client-issuer-dn and, optionally, ssl-client-cert (ingress-nginx auth-tls-pass-certificate-to-upstream).',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      passCertificate: Type.Optional(Type.Boolean({ default: false, description: 'also send the certificate itself, URL-encoded PEM, as ssl-client-cert' })),
      errorPage: Type.Optional(
        Type.String({
          pattern: '^https?://[^\\s]+$',
          maxLength: 4096,
          description: 'clients without a verified certificate are redirected here (302) instead of reaching the upstream',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  example: { passCertificate: true },
  notes: [
    'ssl-client-verify is SUCCESS, NONE (no certificate, or a plain-HTTP request) or FAILED:<reason>, as nginx says it.',
    'With errorPage (ingress-nginx auth-tls-error-page), a request whose certificate is missing or failed verification gets a 302 there; the ssl document then uses clientVerify optional so the handshake succeeds and the redirect can be sent.',
    'Headers of these names sent by the client are always replaced, so they cannot be forged.',
  ],
});
