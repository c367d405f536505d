// The emulated cluster: a real etcd, the in-repo test API server, and `gateway control-plane` /
// `gateway data-plane` as real processes, wired like a Kubernetes deployment of Sluice.
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import type { Listener } from '@sluice/model';
import { fileURLToPath } from 'node:url';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ClusterOptions {
  controllerName: string;
  addressPool: string;
  portMap: string;
  log(message: string): void;
}

export interface Cluster {
  etcd: TestEtcd;
  api: KubeApiServer;
  controlPlane?: GatewayProcess;
  dataPlane?: GatewayProcess;
  /** Flags the runner wanted but the `gateway` CLI does not know yet. */
  missingFlags: string[];
  /** Why a process did not start, when one did not. */
  problems: string[];
  /** The listener documents the control plane wrote to etcd (what Sluice generates per Gateway). */
  listenerDocuments(): Promise<Listener[]>;
  stop(): Promise<string>;
}

/** The flag names `gateway` accepts (bin/lib/options.mjs), to pass only what it knows. */
async function knownFlags(): Promise<Set<string>> {
  const modulePath = path.join(repoRoot, 'bin/lib/options.mjs');
  const mod = (await import(modulePath)) as { FLAGS: Record<string, unknown> };
  return new Set(Object.keys(mod.FLAGS));
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const flags = await knownFlags();
  const missingFlags: string[] = [];
  const problems: string[] = [];
  const wanted = (name: string, value: string) => {
    if (flags.has(name)) return { [name]: value };
    missingFlags.push(`--${name}`);
    return {};
  };
  const etcd = await startEtcd();
  const api = await startKubeApiServer();
  const prefix = etcd.prefix('conformance');
  const client = new Etcd3({ hosts: etcd.endpoint });
  let controlPlane: GatewayProcess | undefined;
  let dataPlane: GatewayProcess | undefined;
  try {
    controlPlane = await startGateway('control-plane', {
      etcd: etcd.endpoint,
      prefix,
      kubeconfig: api.kubeconfigPath,
      'controller-name': opts.controllerName,
      'leader-election-namespace': 'default',
      ...wanted('gateway-address-pool', opts.addressPool),
    });
  } catch (err) {
    problems.push(`control plane did not start: ${(err as Error).message.slice(0, 2000)}`);
  }
  try {
    dataPlane = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, ...wanted('port-map', opts.portMap) });
  } catch (err) {
    problems.push(`data plane did not start: ${(err as Error).message.slice(0, 2000)}`);
  }
  for (const f of missingFlags) opts.log(`warning: gateway does not know ${f} yet; started without it`);
  for (const p of problems) opts.log(`warning: ${p}`);
  return {
    etcd,
    api,
    controlPlane,
    dataPlane,
    missingFlags,
    problems,
    async listenerDocuments() {
      const values = await client.getAll().prefix(`${prefix}/listeners/`).strings();
      return Object.values(values).map((v) => JSON.parse(v) as Listener);
    },
    async stop() {
      const logs = `--- control plane ---\n${controlPlane?.output() ?? ''}\n--- data plane ---\n${dataPlane?.output() ?? ''}\n`;
      await Promise.all([controlPlane?.stop(5000), dataPlane?.stop(5000)]);
      await api.close();
      client.close();
      await etcd.stop();
      return logs;
    },
  };
}
