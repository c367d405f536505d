import type { Ssl } from '@sluice/model';
import { compareAge } from '../translate/object-ref.js';
import { condition } from './conditions.js';
import { listenerConflict, namespaceFilter, resolveListener, type GatewayState, type ListenerSetState, type ListenerState } from './gateway-listeners.js';

export type { ListenerSetRef, ListenerSetState } from './gateway-listeners.js';
import { GATEWAY_GROUP, type GatewayResources } from './types.js';

/**
 * ListenerSets (GEP-1713) → extra listeners of their parent Gateway. A Gateway takes none unless
 * `spec.allowedListeners.namespaces.from` allows the set's namespace (None by default; Same,
 * Selector, All). Listeners are merged in precedence order, the Gateway's own first, then the
 * sets oldest first (namespace/name on a tie); a set's listener that conflicts with one merged
 * before it (same port: another protocol family, or the same hostname) is Conflicted and takes
 * no traffic, the earlier one keeps it. A set with no valid listener is not accepted. Each
 * Gateway's `listenerSets` is filled (routes attach through it); ssl documents for the sets'
 * certificates are merged into `ssls`.
 */
export function resolveListenerSets(
  resources: GatewayResources,
  gateways: readonly GatewayState[],
  ssls: readonly Ssl[],
): { listenerSets: ListenerSetState[]; ssls: Ssl[] } {
  const sslMap = new Map(ssls.map((s) => [s.id, { ...s, snis: [...s.snis] }]));
  const out: ListenerSetState[] = [];
  for (const object of [...(resources.listenerSets ?? [])].sort(compareAge)) {
    const namespace = object.metadata?.namespace ?? 'default';
    const ref = object.spec?.parentRef;
    if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref?.kind ?? 'Gateway') !== 'Gateway') continue;
    const gateway = gateways.find((g) => g.namespace === (ref?.namespace ?? namespace) && g.name === ref?.name);
    if (!gateway) continue; // not one of our Gateways: another controller's set, or a dangling one
    const set: ListenerSetState = { object, namespace, name: object.metadata?.name ?? '', gateway, accepted: false, listeners: [], conditions: [] };
    (gateway.listenerSets ??= []).push(set);
    out.push(set);

    const rejected = (reason: string, message: string) => [
      condition(object, 'Accepted', false, reason, message),
      condition(object, 'Programmed', false, reason, message),
    ];
    const allowed = gateway.gateway.spec?.allowedListeners?.namespaces;
    if (!namespaceFilter({ ...allowed, from: allowed?.from ?? 'None' }, gateway.namespace, resources)(namespace)) {
      set.conditions = rejected('NotAllowed', `Gateway ${gateway.namespace}/${gateway.name} does not allow ListenerSets from namespace ${namespace}`);
      continue;
    }
    if (gateway.conditions[0]?.status !== 'True') {
      set.conditions = rejected('ParentNotAccepted', `Gateway ${gateway.namespace}/${gateway.name} is not accepted`);
      continue;
    }
    const specs: any[] = Array.isArray(object.spec?.listeners) ? object.spec.listeners : [];
    set.listeners = specs.map((spec) => resolveListener(spec, gateway, resources, sslMap, set));
  }

  for (const gateway of gateways) markSetConflicts(gateway);

  for (const set of out) {
    if (set.conditions.length) continue;
    const valid = set.listeners.filter((l) => l.usable && l.conditions.some((c) => c.type === 'Programmed' && c.status === 'True')).length;
    const { object } = set;
    if (valid === 0) {
      set.conditions = [
        condition(object, 'Accepted', false, 'ListenersNotValid', 'no listener is valid'),
        condition(object, 'Programmed', false, 'ListenersNotValid', 'no listener is valid'),
      ];
      for (const l of set.listeners) l.usable = false; // a set that is not accepted serves nothing
      continue;
    }
    set.accepted = true;
    set.conditions = [
      valid < set.listeners.length
        ? condition(object, 'Accepted', true, 'ListenersNotValid', 'some listeners are not valid')
        : condition(object, 'Accepted', true, 'Accepted', 'ListenerSet accepted'),
      condition(object, 'Programmed', true, 'Programmed', 'ListenerSet programmed'),
    ];
  }
  return { listenerSets: out, ssls: [...sslMap.values()].map((s) => ({ ...s, snis: [...new Set(s.snis)].sort() })) };
}

/**
 * Conflicts across a Gateway and its sets, by precedence: each set listener is checked against
 * every listener merged before it that is not itself conflicted.
 */
function markSetConflicts(gateway: GatewayState): void {
  const merged = gateway.listeners.filter((l) => !isConflicted(l));
  for (const set of gateway.listenerSets ?? []) {
    for (const l of set.listeners) {
      const reason = merged.map((m) => listenerConflict(m, l)).find((r) => r !== undefined);
      if (!reason) {
        merged.push(l);
        continue;
      }
      const message = `listener ${l.name} conflicts with an earlier listener on port ${l.port}`;
      l.usable = false;
      l.conditions = [
        condition(set.object, 'Accepted', false, reason, message),
        condition(set.object, 'Programmed', false, reason, message),
        l.conditions.find((c) => c.type === 'ResolvedRefs')!,
        condition(set.object, 'Conflicted', true, reason, message),
      ];
    }
  }
}

function isConflicted(l: ListenerState): boolean {
  return l.conditions.some((c) => c.type === 'Conflicted' && c.status === 'True');
}

/** The ListenerSet's status: conditions and, once allowed, one entry per listener with the exact attachedRoutes. */
export function listenerSetStatus(set: ListenerSetState): Record<string, unknown> {
  return {
    conditions: set.conditions,
    listeners: set.listeners.map((l) => ({ name: l.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attached.size, conditions: l.conditions })),
  };
}

/** A Gateway's `status.attachedListenerSets`: how many sets it accepted. */
export function attachedListenerSets(gateway: GatewayState): number {
  return (gateway.listenerSets ?? []).filter((s) => s.accepted).length;
}
