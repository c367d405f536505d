import { pemOf } from '../translate/translate-tls.js';
import { condition } from './conditions.js';
import { isReferencePermitted } from './reference-grants.js';
import { GATEWAY_GROUP, type Condition, type GatewayApiObject, type GatewayResources } from './types.js';

/**
 * spec.tls.backend.clientCertificateRef: the certificate a Gateway shows to TLS backends (those
 * a BackendTLSPolicy makes TLS). Gives the Gateway's ResolvedRefs condition when the ref is set,
 * and the PEMs when it resolves; none of either when it is not set.
 */
export function backendClientCertificate(
  gateway: GatewayApiObject,
  resources: GatewayResources,
): { condition?: Condition; certificate?: { cert: string; key: string } } {
  const ref = gateway.spec?.tls?.backend?.clientCertificateRef;
  if (!ref) return {};
  const gatewayNamespace = gateway.metadata?.namespace ?? 'default';
  const namespace = ref.namespace ?? gatewayNamespace;
  const failed = (reason: string, message: string) => ({ condition: condition(gateway, 'ResolvedRefs', false, reason, message) });
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret')
    return failed('InvalidClientCertificateRef', `clientCertificateRef ${ref.group}/${ref.kind} is not a Secret`);
  if (
    !isReferencePermitted(
      resources.referenceGrants,
      { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gatewayNamespace },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    )
  )
    return failed('RefNotPermitted', `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`);
  const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === ref.name);
  const cert = secret && pemOf(secret, 'tls.crt');
  const key = secret && pemOf(secret, 'tls.key');
  if (!cert || !key) return failed('InvalidClientCertificateRef', `Secret ${namespace}/${ref.name} is missing or has no PEM tls.crt and tls.key`);
  return { condition: condition(gateway, 'ResolvedRefs', true, 'ResolvedRefs', 'client certificate resolved'), certificate: { cert, key } };
}
