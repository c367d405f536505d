import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';

/** A rendered Kubernetes object, as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: any;
}

export const KUBERNETES_DIR = path.resolve(import.meta.dirname, '../../deploy/kubernetes');

/** Every folder of overlays/ with a kustomization, so an overlay added later is tested too. */
export function overlayNames(): string[] {
  const dir = path.join(KUBERNETES_DIR, 'overlays');
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'kustomization.yaml')))
    .sort();
}

/** `kubectl kustomize` of one overlay (offline; no cluster involved), parsed. */
export async function renderOverlay(name: string): Promise<K8sObject[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', path.join(KUBERNETES_DIR, 'overlays', name)], {
    maxBuffer: 32 * 1024 * 1024,
    timeout: 30_000,
  });
  return YAML.parseAllDocuments(stdout)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`overlay ${name}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject;
    })
    .filter(Boolean);
}

export const API_GROUP = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
}

export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'];

/** Each container of each workload, with the pod spec it runs in. */
export function containersOf(objects: K8sObject[]): { workload: K8sObject; pod: any; container: any }[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .flatMap((workload) => {
      const pod = workload.spec.template.spec;
      return [...(pod.initContainers ?? []), ...pod.containers].map((container: any) => ({ workload, pod, container }));
    });
}

/** Does an RBAC rule list grant `verb` on `group`/`resource` (optionally a named object)? */
export function allows(rules: any[], group: string, resource: string, verb: string, resourceName?: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g: string) => g === group || g === '*') &&
      (r.resources ?? []).some((res: string) => res === resource || res === '*') &&
      (r.verbs ?? []).some((v: string) => v === verb || v === '*') &&
      (!r.resourceNames?.length || (resourceName !== undefined && r.resourceNames.includes(resourceName))),
  );
}

/** The port number a probe or Service targetPort means: a number, or a named container port. */
export function portNumber(container: any, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports ?? []).find((p: any) => p.name === port)?.containerPort;
}

/** Seconds a preStop hook waits (`sleep N` exec or the native sleep action); 0 without one. */
export function preStopSeconds(container: any): number {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return Number(preStop.sleep.seconds);
  const cmd: string[] = preStop.exec?.command ?? [];
  const sleep = cmd.findIndex((c) => /(^|\/)sleep$/.test(c));
  if (sleep < 0) throw new Error(`preStop ${JSON.stringify(cmd)} is not a sleep`);
  return Number(cmd[sleep + 1]);
}
