// Runs one conformance test: applies its manifests, walks its cases, status checks and actions in
// `step` order, stops at the first failure, then deletes what it created (in reverse).
import type { KubeObject } from '../helpers/kube-api-server.js';
import { runAction } from './actions.js';
import { stepsOf, type ConformanceTest } from './cases-file.js';
import { runCase, type CaseContext } from './case-runner.js';
import { judgeStatus, type StatusContext } from './judges/status-judge.js';
import { manifestObjects, type PlaceholderValues } from './manifest-objects.js';
import type { ObjectStore } from './object-store.js';
import type { Workloads } from './workloads.js';

export interface TestEnvironment {
  store: ObjectStore;
  workloads: Workloads;
  placeholders: PlaceholderValues;
  caseContext: CaseContext;
  /** Milliseconds a status check may be polled. */
  statusTimeoutMs(): number;
  /** Listener documents in etcd, for checks on what Sluice generates per Gateway. */
  listenerDocuments?(): Promise<StatusContext['listenerDocuments']>;
}

export interface TestOutcome {
  result: 'PASS' | 'FAIL';
  reason?: string;
  /** `step` and kind of the item that failed. */
  failedAt?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies objects (Deployments become emulated pods) and returns what was created, in order. */
export async function applyObjects(env: TestEnvironment, yaml: string): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const obj of manifestObjects(yaml, env.placeholders)) {
    if (obj.kind === 'Deployment') await env.workloads.applyDeployment(obj);
    else env.store.apply(obj);
    applied.push(obj);
  }
  env.workloads.syncEndpointSlices();
  return applied;
}

export async function deleteObjects(env: TestEnvironment, objects: KubeObject[]): Promise<void> {
  for (const obj of [...objects].reverse()) {
    if (obj.kind === 'Deployment') await env.workloads.deleteDeployment(obj.metadata.namespace ?? 'default', obj.metadata.name);
    else env.store.remove(obj.kind, obj.metadata.name, obj.metadata.namespace);
  }
  env.workloads.syncEndpointSlices();
}

export async function runTest(test: ConformanceTest, env: TestEnvironment): Promise<TestOutcome> {
  const created: KubeObject[] = [];
  const originals = new Map<string, KubeObject>();
  const generations = new Map<string, number>();
  const key = (kind: string, name: string, ns?: string) => `${kind}/${ns ?? ''}/${name}`;
  try {
    for (const yaml of test.manifests) created.push(...(await applyObjects(env, yaml)));
    for (const o of created)
      if (o.kind !== 'Deployment')
        originals.set(key(o.kind, o.metadata.name, o.metadata.namespace), structuredClone(env.store.get(o.kind, o.metadata.name, o.metadata.namespace)!));
    for (const step of stepsOf(test)) {
      const where = `step ${step.step} (${step.type === 'case' ? step.item.kind : step.type === 'status' ? step.item.check : step.item.action})`;
      if (step.type === 'action') {
        const a = step.item;
        if (a.object) {
          const before = env.store.get(a.object.kind, a.object.name, a.object.namespace);
          if (before) generations.set(key(a.object.kind, a.object.name, a.object.namespace), Number(before.metadata.generation ?? 1));
        }
        try {
          await runAction(a, {
            store: env.store,
            pods: () => env.workloads.pods(),
            applyManifest: async (yaml) => void created.push(...(await applyObjects(env, yaml))),
            original: (kind, name, ns) => originals.get(key(kind, name, ns)),
            unusableAddress: env.placeholders.unusableAddress,
          });
        } catch (err) {
          return { result: 'FAIL', reason: `action: ${(err as Error).message}`, failedAt: where };
        }
        // A created object the test did not list still belongs to it for cleanup.
        if (a.action === 'create' && a.object && !a.manifest)
          created.push({ kind: a.object.kind, metadata: { name: a.object.name, namespace: a.object.namespace } });
        continue;
      }
      if (step.type === 'status') {
        const e = step.item;
        const deadline = Date.now() + env.statusTimeoutMs();
        let why: string | undefined;
        // route_has_no_accepted_parents: "stays empty (seen twice, 1 s apart)".
        const twice = e.check === 'route_has_no_accepted_parents';
        for (;;) {
          // Documents live in etcd, not the API server: read them before each judgement that needs them.
          const listenerDocuments = e.check === 'infrastructure_metadata_propagated' ? await env.listenerDocuments?.() : undefined;
          why = judgeStatus(e, {
            ...(listenerDocuments ? { listenerDocuments } : {}),
            get: env.store.get,
            list: env.store.list,
            controllerName: env.placeholders.controllerName,
            usableAddress: env.placeholders.usableAddress,
            generationBefore: (kind, name, ns) => generations.get(key(kind, name, ns)),
          });
          if (!why && twice) {
            await sleep(1000);
            why = judgeStatus(e, {
              get: env.store.get,
              list: env.store.list,
              controllerName: env.placeholders.controllerName,
              usableAddress: env.placeholders.usableAddress,
              generationBefore: () => undefined,
            });
          }
          if (!why || Date.now() > deadline) break;
          await sleep(100);
        }
        if (why) return { result: 'FAIL', reason: `${e.check}: ${why}`, failedAt: where };
        continue;
      }
      const why = await runCase(step.item, env.caseContext);
      if (why) return { result: 'FAIL', reason: `${step.item.name}: ${why}`, failedAt: where };
    }
    return { result: 'PASS' };
  } catch (err) {
    return { result: 'FAIL', reason: `runner error: ${(err as Error).message}` };
  } finally {
    await deleteObjects(env, created).catch(() => undefined);
  }
}
