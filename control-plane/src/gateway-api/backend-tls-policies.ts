import type { InlineUpstream } from '@sluice/model';
import { compareAge } from '../translate/object-ref.js';
import { condition } from './conditions.js';
import type { GatewayState } from './gateway-listeners.js';
import { GATEWAY_GROUP, type Condition, type GatewayApiObject, type GatewayResources } from './types.js';

type UpstreamTls = NonNullable<InlineUpstream['tls']>;

interface PolicyState {
  policy: GatewayApiObject;
  /** undefined when the policy is invalid (the backend then fails its TLS handshake). */
  tls: UpstreamTls;
  accepted: Condition;
  resolved: Condition;
  /** "namespace/name" of the Gateways whose routes use a targeted Service. */
  ancestors: Set<string>;
}

/**
 * BackendTLSPolicy: a Service (or one named port of it) is reached over TLS, verified with the
 * CA from a ConfigMap/Secret `ca.crt` (or the system roots) and SNI = validation.hostname.
 * Among policies for the same target, the oldest wins (Conflicted for the others).
 * An invalid policy still forces TLS with verification and no usable CA, so requests fail
 * (5xx) instead of silently going out in clear.
 */
export class BackendTlsPolicies {
  private readonly states: PolicyState[];

  constructor(
    private readonly resources: GatewayResources,
    /** Our Gateways: a route's parents lend their backend client certificate to its TLS backends. */
    private readonly gateways: readonly GatewayState[] = [],
  ) {
    const winners = new Map<string, PolicyState>();
    this.states = [...resources.backendTlsPolicies].sort(compareAge).map((policy) => {
      const state = validate(policy, resources);
      for (const t of targets(policy)) {
        const key = `${t.namespace}/${t.name}/${t.sectionName ?? ''}`;
        const winner = winners.get(key);
        if (winner && winner !== state && state.accepted.status === 'True')
          state.accepted = condition(policy, 'Accepted', false, 'Conflicted', `BackendTLSPolicy ${winner.policy.metadata?.name} targets the same Service`);
        else if (!winner) winners.set(key, state);
      }
      return state;
    });
  }

  /**
   * The upstream TLS for a Service port (a policy naming the port beats one for the whole
   * Service), with the client certificate of the `route`'s parent Gateway when it has one.
   */
  forService(namespace: string, name: string, portName: string | undefined, _routeKind: string, route?: GatewayApiObject): UpstreamTls | undefined {
    const matching = (sectionName: string | undefined) =>
      this.states.find(
        (s) =>
          s.accepted.reason !== 'Conflicted' && targets(s.policy).some((t) => t.namespace === namespace && t.name === name && t.sectionName === sectionName),
      );
    const state = (portName ? matching(portName) : undefined) ?? matching(undefined);
    if (!state) return undefined;
    const client = route && this.clientCertificateOf(route);
    return client ? { ...state.tls, clientCert: client.cert, clientKey: client.key } : state.tls;
  }

  /**
   * The backend client certificate of the first of the route's parent Gateways (or the Gateways
   * of its parent ListenerSets) that has one. One upstream document serves the route on every
   * parent, so a route under two Gateways with different certificates shows the first one's.
   */
  private clientCertificateOf(route: GatewayApiObject): { cert: string; key: string } | undefined {
    const routeNamespace = route.metadata?.namespace ?? 'default';
    for (const ref of (route.spec?.parentRefs ?? []) as any[]) {
      if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
      const kind = ref?.kind ?? 'Gateway';
      const ns = ref?.namespace ?? routeNamespace;
      const gateway =
        kind === 'Gateway'
          ? this.gateways.find((g) => g.namespace === ns && g.name === ref?.name)
          : kind === 'ListenerSet'
            ? this.gateways.find((g) => g.listenerSets?.some((set) => set.namespace === ns && set.name === ref?.name))
            : undefined;
      if (gateway?.backendClientCertificate) return gateway.backendClientCertificate;
    }
    return undefined;
  }

  /** Records that routes under these Gateways reach the Service (policy status.ancestors). */
  noteUse(namespace: string, name: string, gateways: readonly { namespace: string; name: string }[]): void {
    for (const s of this.states) {
      if (!targets(s.policy).some((t) => t.namespace === namespace && t.name === name)) continue;
      for (const g of gateways) s.ancestors.add(`${g.namespace}/${g.name}`);
    }
  }

  /** Policy statuses: one ancestor entry per Gateway that uses a targeted Service. */
  statuses(controllerName: string): { policy: GatewayApiObject; status: Record<string, unknown> }[] {
    return this.states
      .filter((s) => s.ancestors.size > 0)
      .map((s) => ({
        policy: s.policy,
        status: {
          ancestors: [...s.ancestors].sort().map((key) => {
            const [namespace, name] = key.split('/');
            return { ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace, name }, controllerName, conditions: [s.accepted, s.resolved] };
          }),
        },
      }));
  }
}

function targets(policy: GatewayApiObject): { namespace: string; name: string; sectionName?: string }[] {
  const namespace = policy.metadata?.namespace ?? 'default';
  return ((policy.spec?.targetRefs ?? []) as any[])
    .filter((t) => (t?.group ?? '') === '' && t?.kind === 'Service')
    .map((t) => ({ namespace, name: String(t.name), ...(t.sectionName ? { sectionName: String(t.sectionName) } : {}) }));
}

function validate(policy: GatewayApiObject, resources: GatewayResources): PolicyState {
  const namespace = policy.metadata?.namespace ?? 'default';
  const validation = policy.spec?.validation ?? {};
  const hostname: string | undefined = validation.hostname;
  const subjectAltNames = subjectAltNamesOf(validation.subjectAltNames);
  const base: UpstreamTls = { verify: true, ...(hostname ? { sni: hostname } : {}), ...(subjectAltNames.length ? { subjectAltNames } : {}) };
  const ok = (tls: UpstreamTls): PolicyState => ({
    policy,
    tls,
    accepted: condition(policy, 'Accepted', true, 'Accepted', 'policy accepted'),
    resolved: condition(policy, 'ResolvedRefs', true, 'ResolvedRefs', 'CA certificates resolved'),
    ancestors: new Set(),
  });
  const bad = (reason: string, message: string): PolicyState => ({
    policy,
    tls: base,
    accepted: condition(policy, 'Accepted', false, 'NoValidCACertificate', message),
    resolved: condition(policy, 'ResolvedRefs', false, reason, message),
    ancestors: new Set(),
  });
  if (validation.wellKnownCACertificates === 'System') return ok(base);
  const pems: string[] = [];
  for (const ref of (validation.caCertificateRefs ?? []) as any[]) {
    const kind = ref?.kind;
    if ((ref?.group ?? '') !== '' || (kind !== 'ConfigMap' && kind !== 'Secret'))
      return bad('InvalidKind', `caCertificateRef ${ref?.group ?? ''}/${kind} is not a ConfigMap or Secret`);
    const source =
      kind === 'ConfigMap'
        ? resources.configMaps.find((c) => c.metadata?.namespace === namespace && c.metadata?.name === ref.name)?.data?.['ca.crt']
        : secretText(resources, namespace, ref.name, 'ca.crt');
    if (!source || !source.includes('-----BEGIN CERTIFICATE-----')) return bad('InvalidCACertificateRef', `${kind} ${namespace}/${ref.name} has no PEM ca.crt`);
    pems.push(source);
  }
  if (pems.length === 0) return bad('InvalidCACertificateRef', 'no caCertificateRefs and no wellKnownCACertificates');
  return ok({ ...base, ca: pems.join('\n') });
}

/** validation.subjectAltNames → the upstream's: `{type: Hostname, hostname}` / `{type: URI, uri}`. */
function subjectAltNamesOf(list: unknown): NonNullable<UpstreamTls['subjectAltNames']> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((san: any): NonNullable<UpstreamTls['subjectAltNames']> => {
    if (san?.type === 'Hostname' && typeof san.hostname === 'string' && san.hostname) return [{ type: 'Hostname' as const, value: san.hostname }];
    if (san?.type === 'URI' && typeof san.uri === 'string' && san.uri) return [{ type: 'URI' as const, value: san.uri }];
    return [];
  });
}

function secretText(resources: GatewayResources, namespace: string, name: string, field: string): string | undefined {
  const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  const data = secret?.stringData?.[field] ?? (secret?.data?.[field] !== undefined ? Buffer.from(secret.data[field]!, 'base64').toString('utf8') : undefined);
  return data;
}
