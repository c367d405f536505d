import { NGINX, check, defineAnnotation } from './annotation.js';

/** Read by ssl-passthrough-routes.ts, which makes the stream routes; nothing happens per HTTP route. */
export const sslPassthrough = defineAnnotation({
  key: `${NGINX}ssl-passthrough`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'medium',
  support: 'supported',
  doc: "Each rule host becomes a `tls` stream route on the gateway's HTTPS port with that SNI: the data plane peeks the ClientHello and pipes the encrypted bytes to the backend of the rule's `/` path (else its first path); other hosts on the port are still terminated. The HTTP routes stay on the plain port; path rules and other annotations do not apply to passed-through TLS.",
  apply: () => undefined,
});
