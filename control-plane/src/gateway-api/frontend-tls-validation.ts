import { condition } from './conditions.js';
import { isReferencePermitted } from './reference-grants.js';
import { GATEWAY_GROUP, type Condition, type GatewayApiObject, type GatewayResources } from './types.js';

/** Client-certificate validation of one HTTPS listener, from the Gateway's `spec.tls.frontend`. */
export interface FrontendValidation {
  /** `optional` (AllowInsecureFallback) asks for a certificate but lets clients in without a valid one. */
  clientVerify: 'on' | 'optional';
  /** The PEM bundle of every CA reference that resolved; undefined when none did (NoValidCACertificate). */
  clientCa?: string;
  /** The first reference that did not resolve: the listener's ResolvedRefs reason. */
  problem?: { reason: 'InvalidCACertificateRef' | 'InvalidCACertificateKind' | 'RefNotPermitted'; message: string };
}

/**
 * The validation for an HTTPS listener on `port`: the `perPort` entry for that port, else
 * `default`; undefined when neither sets `validation`. CA references are ConfigMaps (core) or
 * Secrets with a PEM `ca.crt`, across namespaces only with a ReferenceGrant.
 */
export function frontendValidationFor(gateway: GatewayApiObject, port: number, resources: GatewayResources): FrontendValidation | undefined {
  const frontend = gateway.spec?.tls?.frontend;
  const perPort = ((frontend?.perPort ?? []) as any[]).find((p) => Number(p?.port) === port);
  const validation = perPort ? perPort.tls?.validation : frontend?.default?.validation;
  if (!validation) return undefined;
  const result: FrontendValidation = { clientVerify: validation.mode === 'AllowInsecureFallback' ? 'optional' : 'on' };
  const gatewayNamespace = gateway.metadata?.namespace ?? 'default';
  const pems: string[] = [];
  const refs: any[] = Array.isArray(validation.caCertificateRefs) ? validation.caCertificateRefs : [];
  if (refs.length === 0) result.problem = { reason: 'InvalidCACertificateRef', message: 'caCertificateRefs is empty' };
  for (const ref of refs) {
    const kind = ref?.kind ?? 'ConfigMap';
    const namespace = ref?.namespace ?? gatewayNamespace;
    const key = `${kind} ${namespace}/${ref?.name}`;
    let problem: FrontendValidation['problem'];
    if ((ref?.group ?? '') !== '' || (kind !== 'ConfigMap' && kind !== 'Secret'))
      problem = {
        reason: 'InvalidCACertificateKind',
        message: `caCertificateRef ${ref?.group ? `${ref.group}/` : ''}${kind} ${ref?.name} is not a core ConfigMap or Secret`,
      };
    else if (
      !isReferencePermitted(
        resources.referenceGrants,
        { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gatewayNamespace },
        { group: '', kind, namespace, name: ref?.name },
      )
    )
      problem = { reason: 'RefNotPermitted', message: `${key} is in another namespace and no ReferenceGrant allows it` };
    else {
      const pem = caText(resources, kind, namespace, String(ref?.name));
      if (pem) pems.push(pem.trim());
      else problem = { reason: 'InvalidCACertificateRef', message: `${key} does not exist or has no PEM ca.crt` };
    }
    result.problem ??= problem;
  }
  if (pems.length) result.clientCa = `${pems.join('\n')}\n`;
  return result;
}

/** `InsecureFrontendValidationMode` on the Gateway while its default or a per-port validation is AllowInsecureFallback. */
export function insecureFrontendCondition(gateway: GatewayApiObject): Condition[] {
  const frontend = gateway.spec?.tls?.frontend;
  const modes = [frontend?.default?.validation?.mode, ...((frontend?.perPort ?? []) as any[]).map((p) => p?.tls?.validation?.mode)];
  if (!modes.includes('AllowInsecureFallback')) return [];
  return [
    condition(
      gateway,
      'InsecureFrontendValidationMode',
      true,
      'ConfigurationChanged',
      'client certificates are requested but not required (AllowInsecureFallback)',
    ),
  ];
}

function caText(resources: GatewayResources, kind: string, namespace: string, name: string): string | undefined {
  const text =
    kind === 'ConfigMap'
      ? resources.configMaps.find((c) => c.metadata?.namespace === namespace && c.metadata?.name === name)?.data?.['ca.crt']
      : secretField(resources, namespace, name, 'ca.crt');
  return text?.includes('-----BEGIN CERTIFICATE-----') ? text : undefined;
}

function secretField(resources: GatewayResources, namespace: string, name: string, field: string): string | undefined {
  const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  return secret?.stringData?.[field] ?? (secret?.data?.[field] !== undefined ? Buffer.from(secret.data[field]!, 'base64').toString('utf8') : undefined);
}
