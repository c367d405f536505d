// The suite's status checks (README §5) over objects read back from the API server: pure.
// Each returns undefined when satisfied, else why not (the runner polls until satisfied).
import type { KubeObject } from '../../helpers/kube-api-server.js';
import type { Condition, StatusExpectation } from '../cases-file.js';

export interface StatusContext {
  get(kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(kind: string, namespace?: string): KubeObject[];
  controllerName: string;
  usableAddress: string;
  /** metadata.generation of the object before the latest action (generation_changed). */
  generationBefore(kind: string, name: string, namespace?: string): number | undefined;
  /** Listener documents read from etcd (infrastructure_metadata_propagated). */
  listenerDocuments?: readonly { gateway: { namespace: string; name: string }; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

type K8sCondition = { type: string; status: string; reason?: string; observedGeneration?: number };

const conditionsOf = (o: any): K8sCondition[] => o?.status?.conditions ?? [];
export const conditionMatches = (list: K8sCondition[], want: Condition) =>
  list.some((c) => c.type === want.type && (want.status === null || c.status === want.status) && (want.reason === null || c.reason === want.reason));
const show = (c: Condition) => `${c.type}=${c.status ?? '*'}/${c.reason ?? '*'}`;
const showAll = (list: K8sCondition[]) => (list.length ? list.map((c) => `${c.type}=${c.status}/${c.reason}`).join(', ') : 'none');

function latestGeneration(o: KubeObject, list = conditionsOf(o)): string | undefined {
  const generation = Number(o.metadata.generation ?? 1);
  const stale = list.find((c) => c.observedGeneration !== generation);
  return stale
    ? `${o.kind} ${o.metadata.name} condition ${stale.type} has observedGeneration ${stale.observedGeneration}, generation is ${generation}`
    : undefined;
}

const noStatus = (o: KubeObject | undefined, ref: { kind: string; name: string }) => (o ? undefined : `${ref.kind} ${ref.name} not found`);

export function judgeStatus(e: StatusExpectation, ctx: StatusContext): string | undefined {
  const ref = e.object;
  const obj = ref ? ctx.get(ref.kind, ref.name, ref.namespace) : undefined;
  const status = (obj as any)?.status ?? {};
  switch (e.check) {
    case 'namespaces_ready': {
      for (const ns of e.namespaces as string[]) {
        for (const gw of ctx.list('Gateway', ns)) {
          if ((gw.metadata.annotations as Record<string, string> | undefined)?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
          const conds = conditionsOf(gw);
          for (const type of ['Accepted', 'Programmed']) {
            if (!conditionMatches(conds, { type, status: 'True', reason: null }))
              return `Gateway ${ns}/${gw.metadata.name} not ${type}=True (conditions: ${showAll(conds)})`;
          }
          const stale = latestGeneration(gw);
          if (stale) return stale;
        }
      }
      return undefined;
    }
    case 'gateway_has_address': {
      if (!obj) return noStatus(obj, ref!);
      const stale = latestGeneration(obj);
      if (stale) return stale;
      if (!conditionsOf(obj).length) return `Gateway ${ref!.name} has no status conditions`;
      const addr = (status.addresses ?? []).find((a: { type?: string; value?: string }) => a.type && a.value);
      return addr ? undefined : `Gateway ${ref!.name} has no status.addresses with a type`;
    }
    case 'route_parents': {
      if (!obj) return noStatus(obj, ref!);
      const parents: any[] = status.parents ?? [];
      for (const want of e.parents as any[]) {
        const pr = want.parent_ref;
        const entry = parents.find(
          (p) =>
            (p.parentRef?.group ?? '') === pr.group &&
            (p.parentRef?.kind ?? '') === pr.kind &&
            p.parentRef?.name === pr.name &&
            (p.parentRef?.namespace === pr.namespace || (!e.namespace_required && p.parentRef?.namespace === undefined)) &&
            p.controllerName === (want.controller_name === '$CONTROLLER_NAME' ? ctx.controllerName : want.controller_name),
        );
        if (!entry)
          return `${ref!.kind} ${ref!.name} has no status.parents entry for ${pr.kind} ${pr.namespace}/${pr.name} with group/kind/controllerName (has ${parents.length})`;
        for (const c of want.conditions as Condition[])
          if (!conditionMatches(entry.conditions ?? [], c))
            return `${ref!.kind} ${ref!.name} parent ${pr.name}: no ${show(c)} (has ${showAll(entry.conditions ?? [])})`;
      }
      return undefined;
    }
    case 'listeners_have_conditions': {
      if (!obj) return noStatus(obj, ref!);
      const listeners: any[] = status.listeners ?? [];
      if (!listeners.length) return `${ref!.name} has no status.listeners`;
      const names: string[] | null = e.listeners;
      const chosen = names ? names.map((n) => listeners.find((l) => l.name === n) ?? { name: n, missing: true }) : listeners;
      for (const l of chosen) {
        if (l.missing) return `listener ${l.name} missing from status`;
        for (const c of e.conditions as Condition[])
          if (!conditionMatches(l.conditions ?? [], c)) return `listener ${l.name}: no ${show(c)} (has ${showAll(l.conditions ?? [])})`;
      }
      return undefined;
    }
    case 'route_condition': {
      if (!obj) return noStatus(obj, ref!);
      const parents: any[] = status.parents ?? [];
      for (const p of parents) {
        const stale = latestGeneration(obj, p.conditions ?? []);
        if (stale) return stale;
      }
      const entry = parents.find(
        (p) =>
          p.parentRef?.name === e.parent.name &&
          (!p.parentRef?.namespace || !e.parent.namespace || p.parentRef.namespace === e.parent.namespace) &&
          conditionMatches(p.conditions ?? [], e.condition),
      );
      return entry
        ? undefined
        : `${ref!.kind} ${ref!.name}: no parent ${e.parent.name} with ${show(e.condition)} (parents: ${parents.map((p) => `${p.parentRef?.name}[${showAll(p.conditions ?? [])}]`).join('; ') || 'none'})`;
    }
    case 'route_has_no_accepted_parents': {
      if (!obj) return noStatus(obj, ref!);
      const parents: any[] = status.parents ?? [];
      if (parents.length === 0) return undefined;
      if (parents.length === 1 && conditionMatches(parents[0].conditions ?? [], { type: 'Accepted', status: 'False', reason: null })) return undefined;
      return `${ref!.kind} ${ref!.name} has ${parents.length} parents, expected none or one with Accepted=False`;
    }
    case 'gateway_has_zero_attached_routes': {
      if (!obj) return noStatus(obj, ref!);
      const listeners: any[] = status.listeners ?? [];
      if (listeners.length === 0 || (listeners.length === 1 && listeners[0].attachedRoutes === 0)) return undefined;
      return `Gateway ${ref!.name}: expected no listeners or one with 0 routes, got ${listeners.map((l) => `${l.name}:${l.attachedRoutes}`).join(', ')}`;
    }
    case 'object_condition': {
      if (!obj) return noStatus(obj, ref!);
      return conditionMatches(conditionsOf(obj), e.condition)
        ? undefined
        : `${ref!.kind} ${ref!.name}: no ${show(e.condition)} (has ${showAll(conditionsOf(obj))})`;
    }
    case 'conditions_have_latest_observed_generation': {
      if (!obj) return noStatus(obj, ref!);
      if (!conditionsOf(obj).length && !(status.parents ?? []).length && !(status.ancestors ?? []).length)
        return `${ref!.kind} ${ref!.name} has no status conditions`;
      const lists = [
        conditionsOf(obj),
        ...(status.parents ?? []).map((p: any) => p.conditions ?? []),
        ...(status.ancestors ?? []).map((p: any) => p.conditions ?? []),
        ...(status.listeners ?? []).map((l: any) => l.conditions ?? []),
      ];
      for (const list of lists) {
        const stale = latestGeneration(obj, list);
        if (stale) return stale;
      }
      return undefined;
    }
    case 'generation_changed': {
      if (!obj) return noStatus(obj, ref!);
      const before = ctx.generationBefore(ref!.kind, ref!.name, ref!.namespace);
      return before !== undefined && Number(obj.metadata.generation) !== before
        ? undefined
        : `${ref!.kind} ${ref!.name} generation did not change (still ${obj.metadata.generation})`;
    }
    case 'listener_statuses': {
      if (!obj) return noStatus(obj, ref!);
      const listeners: any[] = status.listeners ?? [];
      if (listeners.length !== e.listeners.length) return `${ref!.name} has ${listeners.length} listener statuses, expected ${e.listeners.length}`;
      for (const want of e.listeners as any[]) {
        const l = listeners.find((x) => x.name === want.name);
        if (!l) return `listener ${want.name} missing from status`;
        const kinds: any[] = l.supportedKinds ?? [];
        if (want.supported_kinds.length === 0 && kinds.length)
          return `listener ${want.name} supportedKinds should be empty, got ${kinds.map((k) => k.kind).join(',')}`;
        for (const k of want.supported_kinds)
          if (!kinds.some((x) => x.kind === k.kind && (x.group ?? 'gateway.networking.k8s.io') === (k.group ?? 'gateway.networking.k8s.io')))
            return `listener ${want.name} lacks supportedKind ${k.kind}`;
        if (want.attached_routes !== undefined && want.attached_routes !== null && l.attachedRoutes !== want.attached_routes)
          return `listener ${want.name} attachedRoutes ${l.attachedRoutes}, expected ${want.attached_routes}`;
        for (const c of want.conditions ?? [])
          if (!conditionMatches(l.conditions ?? [], c)) return `listener ${want.name}: no ${show(c)} (has ${showAll(l.conditions ?? [])})`;
      }
      return undefined;
    }
    case 'gateway_attached_listener_sets': {
      if (!obj) return noStatus(obj, ref!);
      const count = status.attachedListenerSets ?? 0;
      return count === e.count ? undefined : `Gateway ${ref!.name} attachedListenerSets ${count}, expected ${e.count}`;
    }
    case 'policy_ancestor_condition': {
      if (!obj) return noStatus(obj, ref!);
      const ancestors: any[] = status.ancestors ?? [];
      for (const a of ancestors) {
        const stale = latestGeneration(obj, a.conditions ?? []);
        if (stale) return stale;
      }
      const entry = ancestors.find(
        (a) =>
          a.ancestorRef?.name === e.ancestor.name &&
          (!a.ancestorRef?.namespace || a.ancestorRef.namespace === e.ancestor.namespace) &&
          conditionMatches(a.conditions ?? [], e.condition),
      );
      return entry
        ? undefined
        : `${ref!.kind} ${ref!.name}: no ancestor ${e.ancestor.name} with ${show(e.condition)} (ancestors: ${ancestors.map((a) => `${a.ancestorRef?.name}[${showAll(a.conditions ?? [])}]`).join('; ') || 'none'})`;
    }
    case 'spec_addresses_count': {
      if (!obj) return noStatus(obj, ref!);
      const n = ((obj.spec as any)?.addresses ?? []).length;
      return n === e.count ? undefined : `spec.addresses has ${n}, expected ${e.count}`;
    }
    case 'status_addresses': {
      if (!obj) return noStatus(obj, ref!);
      const addrs: any[] = status.addresses ?? [];
      return addrs.length === 1 && addrs[0].value === ctx.usableAddress && (addrs[0].type ?? 'IPAddress') === 'IPAddress'
        ? undefined
        : `status.addresses ${JSON.stringify(addrs)}, expected exactly [${ctx.usableAddress}]`;
    }
    case 'infrastructure_metadata_propagated': {
      // Upstream looks for the ServiceAccounts/Pods/Services an implementation deploys per Gateway.
      // Sluice deploys none: what it generates per Gateway is its listener documents in etcd, so
      // every one of them must carry each spec.infrastructure label and annotation.
      if (!obj) return noStatus(obj, ref!);
      if (!ctx.listenerDocuments) return 'the runner cannot read listener documents from etcd';
      const infra = (obj.spec as any)?.infrastructure ?? {};
      const docs = ctx.listenerDocuments.filter((d) => d.gateway.namespace === ref!.namespace && d.gateway.name === ref!.name);
      if (!docs.length) return `no listener document of Gateway ${ref!.namespace}/${ref!.name} in etcd`;
      for (const [field, want] of [
        ['labels', infra.labels],
        ['annotations', infra.annotations],
      ] as const) {
        for (const [k, v] of Object.entries((want ?? {}) as Record<string, string>)) {
          const bad = docs.find((d) => d[field]?.[k] !== v);
          if (bad) return `listener document of Gateway ${ref!.name} lacks ${field} ${k}=${v} (has ${JSON.stringify(bad[field] ?? {})})`;
        }
      }
      return undefined;
    }
    default:
      return `check ${e.check} is not implemented by the runner`;
  }
}
