// Emulated Deployments: one set of echo servers per replica on its own loopback "pod IP", with
// Kubernetes-like pod names, and the EndpointSlices the cluster would publish for them.
import type { KubeObject } from '../helpers/kube-api-server.js';
import { endpointSliceFor, managedBy, managedByLabel, type EmulatedPod } from './endpoint-slices.js';
import { startGrpcEcho } from './echo/grpc-echo.js';
import { startHttpEcho } from './echo/http-echo.js';
import type { Closer } from './echo/listen.js';
import { startTcpEcho } from './echo/tcp-echo.js';
import { startDnsResponder, startUdpEcho } from './echo/udp-echo.js';
import type { ObjectStore } from './object-store.js';
import { podIpAllocator, podName } from './pod-names.js';

export interface RunningPod extends EmulatedPod {
  deployment: string;
  /** echo-basic's stdout: one line per echoed request (mirror checks read it). */
  log: string[];
  closers: Closer[];
}

interface Container {
  image: string;
  env?: { name: string; value?: string }[];
  ports?: { containerPort: number; protocol?: string; name?: string }[];
}

const decode = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined);

export interface Workloads {
  /** Starts (or, when it exists, keeps) a Deployment's pods and republishes slices. */
  applyDeployment(deployment: KubeObject): Promise<void>;
  deleteDeployment(namespace: string, name: string): Promise<void>;
  pods(): RunningPod[];
  /** Re-derives every managed EndpointSlice from Services and pods. */
  syncEndpointSlices(): void;
  stopAll(): Promise<void>;
}

export function workloads(store: ObjectStore, onWarning: (message: string) => void): Workloads {
  const nextIp = podIpAllocator(Number(process.env.CONFORMANCE_NET ?? 0));
  const running = new Map<string, RunningPod[]>();
  const key = (ns: string, name: string) => `${ns}/${name}`;

  const tlsFromVolumes = (namespace: string, podSpec: any) => {
    const secretName = (podSpec.volumes ?? []).find((v: any) => v.secret?.secretName)?.secret.secretName as string | undefined;
    const cmName = (podSpec.volumes ?? []).find((v: any) => v.configMap?.name)?.configMap.name as string | undefined;
    if (!secretName) return undefined;
    const secret = store.get('Secret', secretName, namespace) as any;
    const cert = decode(secret?.data?.['tls.crt']);
    const key = decode(secret?.data?.['tls.key']);
    if (!cert || !key) {
      onWarning(`Secret ${namespace}/${secretName} for a TLS echo backend is missing`);
      return undefined;
    }
    const cm = cmName ? (store.get('ConfigMap', cmName, namespace) as any) : undefined;
    const clientCa = cm ? (cm.data?.['ca.crt'] ?? Object.values(cm.data ?? {})[0]) : undefined;
    return { cert, key, clientCa: clientCa as string | undefined };
  };

  const startPod = async (deployment: KubeObject, index: number): Promise<RunningPod> => {
    const namespace = deployment.metadata.namespace ?? 'default';
    const spec = deployment.spec as any;
    const podSpec = spec.template?.spec ?? {};
    const container: Container = podSpec.containers?.[0] ?? { image: '' };
    const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    const name = podName(deployment.metadata.name, namespace, index);
    const ip = nextIp();
    const id = { namespace, pod: name, service: env.SERVICE_NAME ?? '', ingress: env.INGRESS_NAME ?? '' };
    const log: string[] = [];
    const wantsTls = !!(env.TLS_SERVER_CERT && (env.TLS_SERVER_PRIVKEY || env.TLS_SERVER_PRIV_KEY));
    const tls = wantsTls ? tlsFromVolumes(namespace, podSpec) : undefined;
    const declared = (proto: string) => container.ports?.find((p) => (p.protocol ?? 'TCP') === proto)?.containerPort;
    let closers: Closer[];
    if (container.image.includes('coredns')) closers = await startDnsResponder({ ip });
    else if (env.GRPC_ECHO_SERVER) closers = await startGrpcEcho({ ip, id, tls });
    else if (env.TCP_ECHO_SERVER)
      closers = await startTcpEcho({ ip, id, tls, port: Number(env.TCP_PORT ?? declared('TCP') ?? 3000), tlsPort: Number(env.TLS_PORT ?? 8443) });
    else if (env.UDP_ECHO_SERVER) closers = await startUdpEcho({ ip, id, port: Number(env.UDP_PORT ?? declared('UDP') ?? 8080) });
    else closers = await startHttpEcho({ ip, id, log, tls });
    const namedPorts = Object.fromEntries((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    return { namespace, name, ip, labels: spec.template?.metadata?.labels ?? {}, namedPorts, deployment: deployment.metadata.name, log, closers };
  };

  const stopPods = async (pods: RunningPod[]) => {
    await Promise.all(pods.flatMap((p) => p.closers.map((c) => c.close().catch(() => undefined))));
  };

  const api: Workloads = {
    async applyDeployment(deployment) {
      const k = key(deployment.metadata.namespace ?? 'default', deployment.metadata.name);
      if (running.has(k)) return;
      const replicas = Number((deployment.spec as any)?.replicas ?? 1);
      const pods: RunningPod[] = [];
      running.set(k, pods);
      try {
        for (let i = 0; i < replicas; i++) pods.push(await startPod(deployment, i));
      } catch (err) {
        onWarning(`Deployment ${k}: ${(err as Error).message}`);
      }
      api.syncEndpointSlices();
    },
    async deleteDeployment(namespace, name) {
      const k = key(namespace, name);
      const pods = running.get(k);
      if (!pods) return;
      running.delete(k);
      api.syncEndpointSlices();
      await stopPods(pods);
    },
    pods: () => [...running.values()].flat(),
    syncEndpointSlices() {
      const pods = api.pods();
      const services = store.list('Service');
      const wanted = new Map<string, KubeObject>();
      for (const svc of services) {
        const slice = endpointSliceFor(svc, pods);
        if (slice) wanted.set(`${slice.metadata.namespace}/${slice.metadata.name}`, slice);
      }
      for (const existing of store.list('EndpointSlice')) {
        const labels = (existing.metadata.labels ?? {}) as Record<string, string>;
        if (labels[managedByLabel] !== managedBy) continue;
        if (!wanted.has(`${existing.metadata.namespace}/${existing.metadata.name}`))
          store.remove('EndpointSlice', existing.metadata.name, existing.metadata.namespace);
      }
      for (const slice of wanted.values()) {
        const current = store.get('EndpointSlice', slice.metadata.name, slice.metadata.namespace);
        const same = current && JSON.stringify({ p: current.ports, e: current.endpoints }) === JSON.stringify({ p: slice.ports, e: slice.endpoints });
        if (!same) store.apply(slice);
      }
    },
    async stopAll() {
      const all = [...running.values()].flat();
      running.clear();
      await stopPods(all);
    },
  };
  return api;
}
