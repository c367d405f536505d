import { canonicalJson } from '@sluice/model';
import type { Condition } from '../gateway-api/types.js';

/** A condition as stored on the object: with the time its status or reason last changed. */
export type StoredCondition = Condition & { lastTransitionTime?: string };

/** Route kinds list their `parents`, BackendTLSPolicy its `ancestors`: entries each controller owns its own of. */
const SHARED_LISTS: Record<string, { list: string; ref: string }> = {
  HTTPRoute: { list: 'parents', ref: 'parentRef' },
  GRPCRoute: { list: 'parents', ref: 'parentRef' },
  TLSRoute: { list: 'parents', ref: 'parentRef' },
  TCPRoute: { list: 'parents', ref: 'parentRef' },
  UDPRoute: { list: 'parents', ref: 'parentRef' },
  BackendTLSPolicy: { list: 'ancestors', ref: 'ancestorRef' },
};

type Status = Record<string, unknown>;
type Entry = { controllerName?: string; conditions?: Condition[] } & Record<string, unknown>;

/** Kubernetes stores metav1.Time to the second: writing milliseconds would read back different. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What an object's status becomes when the translator's `desired` status is written over the
 * `current` one: every condition keeps its old `lastTransitionTime` unless its status or reason
 * changed (then `now`); for routes and BackendTLSPolicies only the `parents`/`ancestors`
 * entries of `controllerName` are replaced, those of other controllers stay as they are.
 * GatewayClass and Gateway statuses are ours entirely.
 */
export function mergeGatewayApiStatus(kind: string, current: Status | undefined, desired: Status, controllerName: string, now: string): Status {
  const shared = SHARED_LISTS[kind];
  if (!shared) {
    const before = current ?? {};
    const merged: Status = { ...desired };
    if (Array.isArray(desired.conditions)) merged.conditions = withTransitionTimes(desired.conditions as Condition[], before.conditions, now);
    if (Array.isArray(desired.listeners)) {
      const oldListeners = Array.isArray(before.listeners) ? (before.listeners as Entry[]) : [];
      merged.listeners = (desired.listeners as Entry[]).map((l) => ({
        ...l,
        conditions: withTransitionTimes(l.conditions ?? [], oldListeners.find((o) => o?.name === l.name)?.conditions, now),
      }));
    }
    return merged;
  }
  const oldEntries = Array.isArray(current?.[shared.list]) ? (current![shared.list] as Entry[]) : [];
  const others = oldEntries.filter((e) => e?.controllerName !== controllerName);
  const ours = ((desired[shared.list] ?? []) as Entry[]).map((e) => {
    const before = oldEntries.find((o) => o?.controllerName === controllerName && sameRef(o[shared.ref], e[shared.ref]));
    return { ...e, conditions: withTransitionTimes(e.conditions ?? [], before?.conditions, now) };
  });
  return { ...(current ?? {}), [shared.list]: [...others, ...ours] };
}

/** Whether a status write would change nothing (key order aside). */
export function sameStatus(current: Status | undefined, merged: Status): boolean {
  return canonicalJson(current ?? {}) === canonicalJson(merged);
}

/** Whether `kind` is one whose status holds per-controller entries (routes, BackendTLSPolicy). */
export function hasSharedStatus(kind: string): boolean {
  return kind in SHARED_LISTS;
}

/** Whether `controllerName` has an entry in the object's `parents`/`ancestors`. */
export function hasEntriesOf(kind: string, current: Status | undefined, controllerName: string): boolean {
  const shared = SHARED_LISTS[kind];
  const list = shared ? current?.[shared.list] : undefined;
  return Array.isArray(list) && list.some((e: Entry) => e?.controllerName === controllerName);
}

function withTransitionTimes(desired: readonly Condition[], current: unknown, now: string): StoredCondition[] {
  const before = Array.isArray(current) ? (current as StoredCondition[]) : [];
  return desired.map((c) => {
    const old = before.find((x) => x?.type === c.type);
    const unchanged = old && old.status === c.status && old.reason === c.reason && typeof old.lastTransitionTime === 'string';
    return { ...c, lastTransitionTime: unchanged ? old.lastTransitionTime! : now };
  });
}

/** Two parent (or ancestor) references to the same thing; group and kind default as the CRDs default them. */
function sameRef(a: unknown, b: unknown): boolean {
  const norm = (r: unknown) => {
    const x = (r ?? {}) as Record<string, unknown>;
    return canonicalJson({
      group: x.group ?? 'gateway.networking.k8s.io',
      kind: x.kind ?? 'Gateway',
      namespace: x.namespace ?? null,
      name: x.name ?? null,
      sectionName: x.sectionName ?? null,
      port: x.port ?? null,
    });
  };
  return norm(a) === norm(b);
}
