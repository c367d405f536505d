// The suite's mid-test actions (README §5 "Actions"): JSON patches, creates, deletes, sleeps, and
// the few that cases.json only describes in prose, implemented here by test and step.
import type { KubeObject } from '../helpers/kube-api-server.js';
import type { ConformanceAction } from './cases-file.js';
import { endpointsOfPods } from './endpoint-slices.js';
import { applyJsonPatch } from './json-patch.js';
import type { ObjectStore } from './object-store.js';
import type { RunningPod } from './workloads.js';

export interface ActionContext {
  store: ObjectStore;
  pods(): RunningPod[];
  /** Applies a manifest (objects and Deployments) and remembers it for cleanup. */
  applyManifest(yaml: string): Promise<void>;
  /** Objects as they were before the test's first change, for "restore" actions. */
  original(kind: string, name: string, namespace?: string): KubeObject | undefined;
  unusableAddress: string;
}

const mutate = (store: ObjectStore, a: ConformanceAction, fn: (o: any) => void) => {
  const o = store.get(a.object!.kind, a.object!.name, a.object!.namespace);
  if (!o) throw new Error(`${a.object!.kind} ${a.object!.name} not found`);
  const copy = structuredClone(o) as any;
  fn(copy);
  store.apply(copy);
};

/** Prose-only actions, keyed by what their description says. */
function describedAction(a: ConformanceAction, ctx: ActionContext): void {
  const d = a.description ?? '';
  const ref = a.object!;
  if (/^Set endpoints to the IPv4 addresses of the infra-backend-v1 pods/.test(d)) {
    const pods = ctx.pods().filter((p) => p.namespace === 'gateway-conformance-infra' && p.labels.app === 'infra-backend-v1');
    return mutate(ctx.store, a, (o) => (o.endpoints = endpointsOfPods(pods)));
  }
  // Our pods have no IPv6 addresses, and the suite skips the patch when there are none.
  if (/^Set endpoints to the IPv6 addresses/.test(d)) return;
  if (/^Keep only the listener named "http"/.test(d))
    return mutate(ctx.store, a, (o) => (o.spec.listeners = o.spec.listeners.filter((l: { name: string }) => l.name === 'http')));
  if (/^Remove spec\.addresses\[0\]/.test(d)) return mutate(ctx.store, a, (o) => o.spec.addresses.splice(0, 1));
  if (/^Remove the unusable address/.test(d))
    return mutate(ctx.store, a, (o) => (o.spec.addresses = o.spec.addresses.filter((x: { value: string }) => x.value !== ctx.unusableAddress)));
  const copyFrom = /data ca\.crt (?:copied from|to the content of) ConfigMap ([a-z0-9-]+)/.exec(d);
  if (copyFrom) {
    const source = ctx.store.get('ConfigMap', copyFrom[1], ref.namespace) as any;
    const data = { 'ca.crt': source?.data?.['ca.crt'] ?? '' };
    if (a.action === 'create') {
      ctx.store.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ref.name, namespace: ref.namespace }, data } as KubeObject);
      return;
    }
    return mutate(ctx.store, a, (o) => (o.data = data));
  }
  if (/^Restore the original/.test(d)) {
    const original = ctx.original(ref.kind, ref.name, ref.namespace) as any;
    if (!original) throw new Error(`no original of ${ref.kind} ${ref.name} to restore`);
    return mutate(ctx.store, a, (o) => (o.spec = structuredClone(original.spec)));
  }
  throw new Error(`action described only in prose is not implemented: ${d}`);
}

export async function runAction(a: ConformanceAction, ctx: ActionContext): Promise<void> {
  switch (a.action) {
    case 'sleep':
      // The only sleeps make creationTimestamps (1 s precision) differ: keep them.
      await new Promise((r) => setTimeout(r, (a.seconds ?? 1) * 1000));
      return;
    case 'delete':
      ctx.store.remove(a.object!.kind, a.object!.name, a.object!.namespace);
      return;
    case 'create':
      if (a.manifest) return ctx.applyManifest(a.manifest);
      return describedAction(a, ctx);
    case 'patch':
      if (a.json_patch) {
        const o = ctx.store.get(a.object!.kind, a.object!.name, a.object!.namespace);
        if (!o) throw new Error(`${a.object!.kind} ${a.object!.name} not found`);
        ctx.store.apply(applyJsonPatch(o, a.json_patch));
        return;
      }
      return describedAction(a, ctx);
  }
}
