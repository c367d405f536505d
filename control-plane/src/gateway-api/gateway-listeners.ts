import { isIP } from 'node:net';
import type { Listener, Ssl } from '@sluice/model';
import { pemOf } from '../translate/translate-tls.js';
import { shortHash } from '../translate/short-hash.js';
import { poolAddress, poolContains } from './address-pool.js';
import { backendClientCertificate } from './backend-client-certificate.js';
import { condition } from './conditions.js';
import { frontendValidationFor, insecureFrontendCondition } from './frontend-tls-validation.js';
import { matchesLabelSelector } from './label-selector.js';
import { isReferencePermitted } from './reference-grants.js';
import { GATEWAY_GROUP, type Condition, type GatewayApiObject, type GatewayResources, type GatewayTranslateOptions } from './types.js';

export interface RouteKindRef {
  group: string;
  kind: string;
}

/** One Gateway listener after validation; routes attach to it and count in `attachedRoutes`. */
export interface ListenerState {
  gateway: GatewayState;
  name: string;
  protocol: string;
  port: number;
  hostname?: string;
  tlsMode?: 'Terminate' | 'Passthrough';
  /** Id of the listener document. */
  id: string;
  supportedKinds: RouteKindRef[];
  /** Accepted and not conflicted: routes may attach. */
  usable: boolean;
  conditions: Condition[];
  sslIds: string[];
  /** HTTPS: client certificates checked against these CAs (the Gateway's spec.tls.frontend). */
  clientValidation?: { clientCa: string; clientVerify: 'on' | 'optional' };
  allowsNamespace(namespace: string): boolean;
  /** Routes attached (filled while routes are attached; "Kind/ns/name"). */
  attached: Set<string>;
  /** The ListenerSet that declares it (GEP-1713); absent for the Gateway's own listeners. */
  listenerSet?: ListenerSetRef;
}

export interface GatewayState {
  gateway: GatewayApiObject;
  namespace: string;
  name: string;
  address?: string;
  listeners: ListenerState[];
  conditions: Condition[];
  addresses: { type: string; value: string }[];
  /** spec.tls.backend.clientCertificateRef resolved: shown to the TLS backends of its routes. */
  backendClientCertificate?: { cert: string; key: string };
  /** ListenerSets whose parentRef names this Gateway, by precedence (filled by resolveListenerSets). */
  listenerSets?: ListenerSetState[];
}

/** Route kinds each listener protocol can carry (the defaults of allowedRoutes.kinds). */
const KINDS_BY_PROTOCOL: Record<string, string[]> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
  TLS: ['TLSRoute'],
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
};

/** Listeners on one port must share a family; HTTPS and TLS share one (SNI tells them apart). */
const PORT_FAMILY: Record<string, string> = { HTTP: 'http', HTTPS: 'tls', TLS: 'tls', TCP: 'tcp', UDP: 'udp' };

/**
 * Pool addresses for the Gateways that need one. Sticky: a Gateway keeps the pool address its
 * status already publishes (so deleting one Gateway never moves another's address, and clients
 * and DNS records stay right); the others take the lowest free address, in namespace/name order.
 * Pure: the previous address is read from the object's own status.
 */
function allocatePoolAddresses(ours: readonly any[], options: GatewayTranslateOptions): Map<any, string> {
  const out = new Map<any, string>();
  const pool = options.gatewayAddressPool;
  if (!pool || options.allocateAddress) return out;
  const needy = ours.filter((g) => {
    const problems = addressProblems(g, options);
    const usableStatic = staticAddresses(g).filter((a) => !problems.unusable.includes(a));
    return usableStatic.length === 0 && !problems.invalid.length && !problems.unusable.length;
  });
  const claimed = new Set<string>(ours.flatMap((g) => staticAddresses(g)));
  for (const g of needy) {
    const previous = (g.status?.addresses ?? []).find((a: any) => (a?.type ?? 'IPAddress') === 'IPAddress')?.value;
    if (typeof previous === 'string' && poolContains(pool, previous) && !claimed.has(previous)) {
      out.set(g, previous);
      claimed.add(previous);
    }
  }
  let n = 0;
  for (const g of needy) {
    if (out.has(g)) continue;
    let address = poolAddress(pool, n);
    while (address !== undefined && claimed.has(address)) address = poolAddress(pool, ++n);
    if (address === undefined) continue; // the pool is exhausted: no address
    out.set(g, address);
    claimed.add(address);
  }
  return out;
}

/** Our GatewayClasses' Gateways, validated: listeners, addresses, conditions, listener and ssl documents. */
export function resolveGateways(
  resources: GatewayResources,
  ourClasses: ReadonlySet<string>,
  options: GatewayTranslateOptions,
): { gateways: GatewayState[]; ssls: Ssl[] } {
  const ours = resources.gateways
    .filter((g) => ourClasses.has(g.spec?.gatewayClassName))
    .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  const ssls = new Map<string, Ssl>();
  const poolAddresses = allocatePoolAddresses(ours, options);
  let allocated = 0;
  const gateways = ours.map((gateway) => {
    const namespace = gateway.metadata?.namespace ?? 'default';
    const name = gateway.metadata?.name ?? '';
    const state: GatewayState = { gateway, namespace, name, listeners: [], conditions: [], addresses: [] };

    // Addresses: spec.addresses (IPAddress) first, else the pool (allocatePoolAddresses).
    const problems = addressProblems(gateway, options);
    const usableStatic = staticAddresses(gateway).filter((a) => !problems.unusable.includes(a));
    if (usableStatic.length) state.address = usableStatic[0];
    else if (!problems.invalid.length && !problems.unusable.length) {
      const rank = allocated++;
      state.address = options.allocateAddress ? options.allocateAddress({ namespace, name }, rank) : poolAddresses.get(gateway);
    }
    if (state.address) state.addresses = [{ type: 'IPAddress', value: state.address }];

    const specs: any[] = Array.isArray(gateway.spec?.listeners) ? gateway.spec.listeners : [];
    state.listeners = specs.map((l) => resolveListener(l, state, resources, ssls));
    markConflicts(state.listeners);

    const invalidParameters = parametersProblem(gateway, resources);
    const valid = state.listeners.filter((l) => l.usable).length;
    let accepted: Condition;
    if (problems.invalid.length) accepted = condition(gateway, 'Accepted', false, 'UnsupportedAddress', `unsupported address ${problems.invalid.join(', ')}`);
    else if (invalidParameters) accepted = condition(gateway, 'Accepted', false, 'InvalidParameters', invalidParameters);
    else if (valid === 0 && state.listeners.length > 0) accepted = condition(gateway, 'Accepted', false, 'ListenersNotValid', 'no listener is valid');
    else if (valid < state.listeners.length) accepted = condition(gateway, 'Accepted', true, 'ListenersNotValid', 'some listeners are not valid');
    else accepted = condition(gateway, 'Accepted', true, 'Accepted', 'Gateway accepted');
    let programmed: Condition;
    if (accepted.status === 'False') programmed = condition(gateway, 'Programmed', false, 'Invalid', 'the Gateway is not accepted');
    // Any requested address we cannot serve leaves the Gateway not Programmed, even when another one
    // is usable (GatewayStaticAddresses): it is not programmed the way its spec asks.
    else if (problems.unusable.length)
      programmed = condition(gateway, 'Programmed', false, 'AddressNotUsable', `address ${problems.unusable.join(', ')} is outside the address pool`);
    else programmed = condition(gateway, 'Programmed', true, 'Programmed', 'Gateway programmed');
    const backendCertificate = backendClientCertificate(gateway, resources);
    if (backendCertificate.certificate) state.backendClientCertificate = backendCertificate.certificate;
    state.conditions = [accepted, programmed, ...(backendCertificate.condition ? [backendCertificate.condition] : []), ...insecureFrontendCondition(gateway)];
    return state;
  });
  return { gateways, ssls: [...ssls.values()].map((s) => ({ ...s, snis: [...new Set(s.snis)].sort() })) };
}

function staticAddresses(gateway: GatewayApiObject): string[] {
  return ((gateway.spec?.addresses ?? []) as any[])
    .filter((a) => (a?.type ?? 'IPAddress') === 'IPAddress' && typeof a?.value === 'string' && isIP(a.value))
    .map((a) => a.value as string);
}

/** Addresses we cannot serve: another type or a malformed IP (invalid), or outside our pool (unusable). */
function addressProblems(gateway: GatewayApiObject, options: GatewayTranslateOptions): { invalid: string[]; unusable: string[] } {
  const invalid: string[] = [];
  const unusable: string[] = [];
  for (const a of (gateway.spec?.addresses ?? []) as any[]) {
    const type = a?.type ?? 'IPAddress';
    const value = typeof a?.value === 'string' ? a.value : '';
    if (type !== 'IPAddress') invalid.push(`${type}:${value}`);
    else if (value === '')
      continue; // "any address you choose" (GatewayAddressEmpty)
    else if (!isIP(value)) invalid.push(value);
    else if (options.gatewayAddressPool && !poolContains(options.gatewayAddressPool, value)) unusable.push(value);
  }
  return { invalid, unusable };
}

/** spec.infrastructure.parametersRef: we define no parameters kind, so only a ConfigMap that exists is valid. */
function parametersProblem(gateway: GatewayApiObject, resources: GatewayResources): string | undefined {
  const ref = gateway.spec?.infrastructure?.parametersRef;
  if (!ref) return undefined;
  const ok =
    (ref.group ?? '') === '' &&
    ref.kind === 'ConfigMap' &&
    resources.configMaps.some((c) => c.metadata?.namespace === gateway.metadata?.namespace && c.metadata?.name === ref.name);
  return ok ? undefined : `parametersRef ${ref.group ?? ''}/${ref.kind}/${ref.name} is not a ConfigMap that exists`;
}

/** One listener of the Gateway, or of a ListenerSet `set` attached to it (conditions, namespaces and grants are then the set's). */
export function resolveListener(spec: any, gateway: GatewayState, resources: GatewayResources, ssls: Map<string, Ssl>, set?: ListenerSetRef): ListenerState {
  const obj = set?.object ?? gateway.gateway;
  const name = String(spec?.name ?? '');
  const protocol = String(spec?.protocol ?? '');
  const port = Number(spec?.port ?? 0);
  const hostname = typeof spec?.hostname === 'string' && spec.hostname ? spec.hostname.toLowerCase() : undefined;
  const listener: ListenerState = {
    gateway,
    name,
    protocol,
    port,
    ...(hostname ? { hostname } : {}),
    id: shortHash(set ? `listenerset/${set.namespace}/${set.name}/listener/${name}` : `gateway/${gateway.namespace}/${gateway.name}/listener/${name}`),
    supportedKinds: [],
    usable: false,
    conditions: [],
    sslIds: [],
    allowsNamespace: namespaceFilter(spec?.allowedRoutes?.namespaces, set?.namespace ?? gateway.namespace, resources),
    attached: new Set(),
    ...(set ? { listenerSet: set } : {}),
  };
  const allowed = KINDS_BY_PROTOCOL[protocol];
  if (!allowed) {
    listener.conditions = [
      condition(obj, 'Accepted', false, 'UnsupportedProtocol', `protocol ${protocol} is not supported`),
      condition(obj, 'Programmed', false, 'Invalid', 'the listener is not accepted'),
      condition(obj, 'ResolvedRefs', true, 'ResolvedRefs', 'no references'),
      condition(obj, 'Conflicted', false, 'NoConflicts', 'no conflicts'),
    ];
    return listener;
  }

  // allowedRoutes.kinds: the ones this protocol can carry are supported; any other is InvalidRouteKinds.
  const requested: any[] | undefined = spec?.allowedRoutes?.kinds;
  let invalidKinds = false;
  if (requested?.length) {
    for (const k of requested) {
      const group = k?.group ?? GATEWAY_GROUP;
      if (group === GATEWAY_GROUP && allowed.includes(k?.kind)) {
        if (!listener.supportedKinds.some((s) => s.kind === k.kind)) listener.supportedKinds.push({ group, kind: k.kind });
      } else invalidKinds = true;
    }
  } else listener.supportedKinds = allowed.map((kind) => ({ group: GATEWAY_GROUP, kind }));

  let resolved: Condition = condition(obj, 'ResolvedRefs', true, 'ResolvedRefs', 'all references resolved');
  let accepted: Condition = condition(obj, 'Accepted', true, 'Accepted', 'listener accepted');
  if (invalidKinds) resolved = condition(obj, 'ResolvedRefs', false, 'InvalidRouteKinds', 'some allowedRoutes.kinds are not supported on this protocol');

  if (protocol === 'HTTPS' || protocol === 'TLS') {
    const mode = spec?.tls?.mode ?? 'Terminate';
    if (mode !== 'Terminate' && mode !== 'Passthrough') accepted = condition(obj, 'Accepted', false, 'UnsupportedValue', `tls.mode ${mode} is not supported`);
    else if (protocol === 'HTTPS' && mode === 'Passthrough')
      accepted = condition(obj, 'Accepted', false, 'UnsupportedValue', 'HTTPS listeners terminate TLS; use protocol TLS for passthrough');
    else listener.tlsMode = mode;
    if (mode === 'Terminate') {
      const certProblem = resolveCertificates(spec, listener, resources, ssls);
      if (certProblem && resolved.status === 'True') resolved = condition(obj, 'ResolvedRefs', false, certProblem.reason, certProblem.message);
    }
    // Frontend validation is the Gateway's (default or per port), for HTTPS listeners only.
    const validation = protocol === 'HTTPS' ? frontendValidationFor(gateway.gateway, port, resources) : undefined;
    if (validation?.problem && resolved.status === 'True')
      resolved = condition(obj, 'ResolvedRefs', false, validation.problem.reason, validation.problem.message);
    if (validation && validation.clientCa === undefined) {
      // Serving without the CAs would let anyone in: the listener is not accepted at all.
      if (accepted.status === 'True')
        accepted = condition(obj, 'Accepted', false, 'NoValidCACertificate', 'no caCertificateRef of the client-certificate validation resolved');
    } else if (validation) listener.clientValidation = { clientCa: validation.clientCa!, clientVerify: validation.clientVerify };
  }
  listener.usable = accepted.status === 'True';
  const programmedOk = listener.usable && resolved.status === 'True';
  listener.conditions = [
    accepted,
    condition(obj, 'Programmed', programmedOk, programmedOk ? 'Programmed' : 'Invalid', programmedOk ? 'listener programmed' : 'the listener is not valid'),
    resolved,
    condition(obj, 'Conflicted', false, 'NoConflicts', 'no conflicts'),
  ];
  return listener;
}

/** certificateRefs → ssl documents (one per Secret, snis the union of the listeners' hostnames). */
function resolveCertificates(
  spec: any,
  listener: ListenerState,
  resources: GatewayResources,
  ssls: Map<string, Ssl>,
): { reason: string; message: string } | undefined {
  const refs: any[] = spec?.tls?.certificateRefs ?? [];
  if (refs.length === 0) return { reason: 'InvalidCertificateRef', message: 'tls.certificateRefs is empty' };
  let problem: { reason: string; message: string } | undefined;
  for (const ref of refs) {
    const group = ref?.group ?? '';
    const kind = ref?.kind ?? 'Secret';
    const from = listener.listenerSet
      ? { group: GATEWAY_GROUP, kind: 'ListenerSet', namespace: listener.listenerSet.namespace }
      : { group: GATEWAY_GROUP, kind: 'Gateway', namespace: listener.gateway.namespace };
    const namespace = ref?.namespace ?? from.namespace;
    const key = `${namespace}/${ref?.name}`;
    if (group !== '' || kind !== 'Secret') {
      problem ??= { reason: 'InvalidCertificateRef', message: `certificateRef ${group}/${kind} ${key} is not a Secret` };
      continue;
    }
    const permitted = isReferencePermitted(resources.referenceGrants, from, { group: '', kind: 'Secret', namespace, name: ref?.name });
    if (!permitted) {
      problem ??= { reason: 'RefNotPermitted', message: `Secret ${key} is in another namespace and no ReferenceGrant allows it` };
      continue;
    }
    const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === ref?.name);
    const cert = secret && pemOf(secret, 'tls.crt');
    const pemKey = secret && pemOf(secret, 'tls.key');
    if (!secret || !cert || !pemKey) {
      problem ??= { reason: 'InvalidCertificateRef', message: secret ? `Secret ${key} has no PEM tls.crt and tls.key` : `Secret ${key} not found` };
      continue;
    }
    const sslName = `gateway-secret/${key}`;
    const id = shortHash(sslName);
    const uid = secret.metadata?.uid;
    const ssl: Ssl = ssls.get(id) ?? {
      id,
      name: sslName,
      owner: { kind: 'Secret' as const, namespace, name: ref.name, ...(uid ? { uid } : {}) },
      snis: [] as string[],
      cert,
      key: pemKey,
    };
    ssl.snis.push(listener.hostname ?? '*');
    ssls.set(id, ssl);
    listener.sslIds.push(id);
  }
  return problem;
}

/** allowedRoutes.namespaces.from (also a Gateway's allowedListeners): Same (default), All, Selector (labels of the Namespace object). */
export function namespaceFilter(spec: any, gatewayNamespace: string, resources: GatewayResources): (namespace: string) => boolean {
  const from = spec?.from ?? 'Same';
  if (from === 'All') return () => true;
  if (from === 'Selector') {
    const selector = spec?.selector;
    return (namespace) => {
      const ns = resources.namespaces.find((n) => n.metadata?.name === namespace);
      // The API server labels every Namespace with its own name (Kubernetes 1.22+).
      return matchesLabelSelector(selector, { ...ns?.metadata?.labels, 'kubernetes.io/metadata.name': namespace });
    };
  }
  if (from === 'Same') return (namespace) => namespace === gatewayNamespace;
  return () => false;
}

/** Why listener `b` cannot share a port with `a` (ProtocolConflict, HostnameConflict), or undefined when they can. */
export function listenerConflict(a: ListenerState, b: ListenerState): 'ProtocolConflict' | 'HostnameConflict' | undefined {
  if (!KINDS_BY_PROTOCOL[a.protocol] || !KINDS_BY_PROTOCOL[b.protocol]) return undefined;
  if (a.port !== b.port || (a.protocol === 'UDP') !== (b.protocol === 'UDP')) return undefined;
  if (PORT_FAMILY[a.protocol] !== PORT_FAMILY[b.protocol]) return 'ProtocolConflict';
  return (a.hostname ?? '') === (b.hostname ?? '') ? 'HostnameConflict' : undefined;
}

/**
 * Listeners sharing a port must be of one family (ProtocolConflict) and differ in hostname
 * (HostnameConflict); conflicted listeners accept no routes.
 */
function markConflicts(listeners: ListenerState[]): void {
  const byPort = new Map<string, ListenerState[]>();
  for (const l of listeners) {
    if (!KINDS_BY_PROTOCOL[l.protocol]) continue;
    const transport = l.protocol === 'UDP' ? 'udp' : 'tcp';
    const key = `${transport}/${l.port}`;
    byPort.set(key, [...(byPort.get(key) ?? []), l]);
  }
  for (const group of byPort.values()) {
    const families = new Set(group.map((l) => PORT_FAMILY[l.protocol]));
    for (const l of group) {
      let reason: string | undefined;
      if (families.size > 1) reason = 'ProtocolConflict';
      else if (group.some((o) => o !== l && (o.hostname ?? '') === (l.hostname ?? ''))) reason = 'HostnameConflict';
      if (!reason) continue;
      const obj = l.gateway.gateway;
      l.usable = false;
      l.conditions = [
        condition(obj, 'Accepted', false, reason, `another listener on port ${l.port} conflicts`),
        condition(obj, 'Programmed', false, 'Invalid', 'the listener conflicts with another'),
        l.conditions.find((c) => c.type === 'ResolvedRefs')!,
        condition(obj, 'Conflicted', true, reason, `another listener on port ${l.port} conflicts`),
      ];
    }
  }
}

/**
 * The Gateway's spec.infrastructure labels and annotations (GatewayInfrastructurePropagation),
 * as far as a document's limits take them: an entry too long is left out, never the listener.
 */
function infrastructureMetadata(gateway: GatewayApiObject): Pick<Listener, 'labels' | 'annotations'> {
  const fitting = (map: unknown, maxKey: number, maxValue: number) =>
    Object.entries(map && typeof map === 'object' ? (map as Record<string, unknown>) : {})
      .filter(([k, v]) => typeof v === 'string' && k.length <= maxKey && v.length <= maxValue)
      .slice(0, 64);
  const labels = fitting(gateway.spec?.infrastructure?.labels, 128, 256);
  const annotations = fitting(gateway.spec?.infrastructure?.annotations, 253, 4096);
  return {
    ...(labels.length ? { labels: Object.fromEntries(labels) as Record<string, string> } : {}),
    ...(annotations.length ? { annotations: Object.fromEntries(annotations) as Record<string, string> } : {}),
  };
}

/** The listener document of a usable listener. */
export function listenerDocument(l: ListenerState): Listener {
  const g = l.gateway;
  const set = l.listenerSet;
  const uid = (set?.object ?? g.gateway).metadata?.uid;
  return {
    id: l.id,
    name: set ? `listenerset/${set.namespace}/${set.name}/listener/${l.name}` : `gateway/${g.namespace}/${g.name}/listener/${l.name}`,
    owner: { kind: set ? 'ListenerSet' : 'Gateway', namespace: set?.namespace ?? g.namespace, name: set?.name ?? g.name, ...(uid ? { uid } : {}) },
    ...infrastructureMetadata(g.gateway),
    gateway: { namespace: g.namespace, name: g.name },
    ...(g.address ? { address: g.address } : {}),
    port: l.port,
    protocol: l.protocol as Listener['protocol'],
    ...(l.hostname ? { hostname: l.hostname } : {}),
    ...(l.tlsMode ? { tls: { mode: l.tlsMode, ...(l.sslIds.length ? { sslIds: [...l.sslIds] } : {}), ...l.clientValidation } } : {}),
  };
}

/** The Gateway's status: addresses, conditions, and one entry per listener with the exact attachedRoutes. */
export function gatewayStatus(g: GatewayState): Record<string, unknown> {
  return {
    addresses: g.addresses,
    conditions: g.conditions,
    listeners: g.listeners.map((l) => ({
      name: l.name,
      supportedKinds: l.supportedKinds,
      attachedRoutes: l.attached.size,
      conditions: l.conditions,
    })),
  };
}

/** The ListenerSet a listener came from: its conditions, route namespaces and ReferenceGrants are the set's. */
export interface ListenerSetRef {
  object: GatewayApiObject;
  namespace: string;
  name: string;
}

/** A ListenerSet whose parentRef names one of our Gateways. */
export interface ListenerSetState extends ListenerSetRef {
  gateway: GatewayState;
  /** Accepted=True: its usable listeners are served on the Gateway's address and take routes. */
  accepted: boolean;
  /** Empty when the Gateway does not allow the set (nothing of it is merged). */
  listeners: ListenerState[];
  conditions: Condition[];
}
