import type { V1Ingress } from '@kubernetes/client-node';
import type { Ssl } from '@sluice/model';
import { NGINX } from './annotations/annotation.js';
import { namespaceOf } from './object-ref.js';
import type { ValidAnnotations } from './valid-annotations.js';
import type { Resources } from './types.js';

/** What auth-tls-* asks of an Ingress's ssl documents. */
export interface ClientAuth {
  /** "namespace/name" of the CA Secret (part of the ssl document's identity). */
  caSecret: string;
  clientCa?: string;
  clientVerify: NonNullable<Ssl['clientVerify']>;
}

/**
 * auth-tls-secret + auth-tls-verify-client → the client certificate check of the Ingress's
 * hosts. `off` means none. With an error page, `on` becomes `optional` at the handshake and
 * the client-cert-headers plugin redirects unverified requests (nginx answers with the page
 * instead of failing the handshake). A missing CA is a warning and no check (the annotation is
 * ignored, as any bad annotation).
 */
export function clientAuthOf(ingress: V1Ingress, valid: ValidAnnotations, resources: Resources, warn: (message: string) => void): ClientAuth | undefined {
  const secretRef = valid.get(`${NGINX}auth-tls-secret`);
  if (secretRef === undefined) return undefined;
  const verify = valid.get(`${NGINX}auth-tls-verify-client`) ?? 'on';
  if (verify === 'off') return undefined;
  const [namespace, name] = secretRef.includes('/') ? secretRef.split('/') : [namespaceOf(ingress), secretRef];
  const caSecret = `${namespace}/${name}`;
  if (verify === 'optional_no_ca') return { caSecret, clientVerify: 'optional_no_ca' };
  const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  const field =
    secret?.stringData?.['ca.crt'] ?? (secret?.data?.['ca.crt'] !== undefined ? Buffer.from(secret.data['ca.crt'], 'base64').toString('utf8') : undefined);
  if (!field?.includes('-----BEGIN ')) {
    warn(`annotation ${NGINX}auth-tls-secret ignored: Secret ${caSecret} ${secret ? 'has no PEM ca.crt' : 'not found'}; client certificates are not checked`);
    return undefined;
  }
  const errorPage = valid.get(`${NGINX}auth-tls-error-page`);
  return { caSecret, clientCa: field, clientVerify: verify === 'on' && errorPage !== undefined ? 'optional' : (verify as ClientAuth['clientVerify']) };
}
