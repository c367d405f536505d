import { condition } from './conditions.js';
import type { GatewayState, ListenerState } from './gateway-listeners.js';
import { intersectHostnames } from './hostnames.js';
import { GATEWAY_GROUP, type Condition, type GatewayApiObject } from './types.js';

/** A listener a route attached to, with the hostnames it is served for there ([] = any). */
export interface AttachedListener {
  listener: ListenerState;
  hosts: string[];
}

/** One `status.parents[]` entry in the making: the parentRef and what attaching to it gave. */
export interface ParentAttachment {
  parentRef: Record<string, unknown>;
  accepted: Condition;
  listeners: AttachedListener[];
}

/**
 * Attaches a route to the listeners its parentRefs select, in the order the spec checks:
 * sectionName/port (NoMatchingParent), route kind and namespace (NotAllowedByListeners),
 * hostnames (NoMatchingListenerHostname). Parents that are not our Gateways get no entry
 * (another controller writes those). Successful attachments count in the listeners' attachedRoutes.
 */
export function attachRoute(route: GatewayApiObject, routeKind: string, gateways: readonly GatewayState[], usesHostnames: boolean): ParentAttachment[] {
  const namespace = route.metadata?.namespace ?? 'default';
  const routeId = `${routeKind}/${namespace}/${route.metadata?.name}`;
  const hostnames: string[] = usesHostnames && Array.isArray(route.spec?.hostnames) ? route.spec.hostnames : [];
  const out: ParentAttachment[] = [];
  for (const ref of (route.spec?.parentRefs ?? []) as any[]) {
    const group = ref?.group ?? GATEWAY_GROUP;
    const kind = ref?.kind ?? 'Gateway';
    if (group !== GATEWAY_GROUP || (kind !== 'Gateway' && kind !== 'ListenerSet')) continue;
    const refNamespace = ref?.namespace ?? namespace;
    // A Gateway parent offers its own listeners only; a ListenerSet parent (GEP-1713) its own.
    const parent =
      kind === 'Gateway' ? gateways.find((g) => g.namespace === refNamespace && g.name === ref?.name) : listenerSetOf(gateways, refNamespace, ref?.name);
    if (!parent) continue;
    const parentRef = {
      group,
      kind,
      namespace: refNamespace,
      name: ref.name,
      ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}),
      ...(ref.port !== undefined ? { port: ref.port } : {}),
    };
    const fail = (reason: string, message: string): void => {
      out.push({ parentRef, accepted: condition(route, 'Accepted', false, reason, message), listeners: [] });
    };
    const selected = parent.listeners.filter(
      (l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port),
    );
    if (selected.length === 0) {
      fail('NoMatchingParent', `no listener of ${kind} ${refNamespace}/${ref.name} matches sectionName/port`);
      continue;
    }
    const allowed = selected.filter((l) => l.usable && l.supportedKinds.some((k) => k.kind === routeKind) && l.allowsNamespace(namespace));
    if (allowed.length === 0) {
      fail('NotAllowedByListeners', `no listener of ${kind} ${refNamespace}/${ref.name} allows ${routeKind} from namespace ${namespace}`);
      continue;
    }
    const attached: AttachedListener[] = [];
    for (const listener of allowed) {
      const hosts = usesHostnames ? intersectHostnames(listener.hostname, hostnames) : [];
      if (hosts !== undefined) attached.push({ listener, hosts });
    }
    if (attached.length === 0) {
      fail('NoMatchingListenerHostname', 'no listener hostname intersects the route hostnames');
      continue;
    }
    for (const a of attached) a.listener.attached.add(routeId);
    out.push({ parentRef, accepted: condition(route, 'Accepted', true, 'Accepted', 'route accepted'), listeners: attached });
  }
  return out;
}

/** One of our Gateways' ListenerSets, by namespace and name. */
function listenerSetOf(gateways: readonly GatewayState[], namespace: string, name: unknown): { listeners: ListenerState[] } | undefined {
  for (const g of gateways) {
    const set = g.listenerSets?.find((s) => s.namespace === namespace && s.name === name);
    if (set) return set;
  }
  return undefined;
}

/** The route's `status.parents`: each of our parents with Accepted and the route-wide ResolvedRefs. */
export function routeParentsStatus(parents: readonly ParentAttachment[], resolvedRefs: Condition, controllerName: string): Record<string, unknown> {
  return {
    parents: parents.map((p) => ({ parentRef: p.parentRef, controllerName, conditions: [p.accepted, resolvedRefs] })),
  };
}
