import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WATCHED } from '../../control-plane/src/source/kube-source.js';
import { EXTRA_GATEWAY_ENV, FLAGS, IMAGE, flagEnvName, gatewayOptions, isGatewayContainer, mountedSource } from './gateway-container.js';
import {
  API_GROUP,
  WORKLOAD_KINDS,
  allows,
  containersOf,
  find,
  one,
  overlayNames,
  portNumber,
  preStopSeconds,
  renderOverlay,
  type K8sObject,
} from './rendered-manifests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The subcommands bin/gateway dispatches (bin/lib/commands.mjs). */
const COMMANDS = Object.keys((await import('../../bin/lib/commands.mjs')).COMMANDS);
/** What each long-running subcommand serves, and the flag of the port it serves it on. */
const SERVED: Record<string, { flag: string; paths: string[] }> = {
  'data-plane': { flag: 'status-port', paths: ['/healthz', '/readyz'] },
  'control-plane': { flag: 'admin-port', paths: ['/healthz'] },
  webhook: { flag: 'webhook-port', paths: ['/healthz'] },
};
/** node with the cap_net_bind_service file capability, in deploy/Dockerfile. */
const LOW_PORTS_NODE = '/usr/local/bin/node-low-ports';
const NAMESPACE = 'sluice-system';
/** The program a container command runs, past the image's init (`tini --`). */
const nodeOf = (command: string[] | undefined) => (command?.[0] === '/usr/bin/tini' && command[1] === '--' ? command[2] : command?.[0]);

const GATEWAY_API_KINDS = [
  'gatewayclasses',
  'gateways',
  'httproutes',
  'grpcroutes',
  'tlsroutes',
  'tcproutes',
  'udproutes',
  'referencegrants',
  'backendtlspolicies',
];
const OUR_CRD_KINDS = ['routepolicies', 'consumers'];
const READ = ['get', 'list', 'watch'];
/** The etcd TLS flags, whatever bin/lib/options.mjs calls them today (etcd-ca or etcd-cacert, ...). */
const ETCD_TLS_FLAGS = Object.keys(FLAGS).filter((f) => /^etcd-(ca|cacert|cert|key)$/.test(f));
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'IngressClass',
  'GatewayClass',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ClusterIssuer',
]);

/** Required fields of kinds kubernetes-models has no schema for (from their upstream CRDs). */
const HAND_CHECKED: Record<string, (o: K8sObject) => void> = {
  'gateway.networking.k8s.io/v1 GatewayClass': (o) => {
    expect(o.spec?.controllerName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/);
  },
  'monitoring.coreos.com/v1 ServiceMonitor': (o) => {
    expect(o.spec?.selector).toBeTypeOf('object');
    expect(o.spec?.endpoints?.length).toBeGreaterThan(0);
    for (const e of o.spec.endpoints) expect(typeof e.port === 'string' || e.targetPort !== undefined).toBe(true);
  },
};

/** The kubernetes-models class for an apiVersion/kind, or undefined when the package has no such group. */
async function modelOf(apiVersion: string, kind: string): Promise<(new (data: unknown) => { validate(): void }) | undefined | null> {
  const mod = await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`).catch(() => undefined);
  if (!mod) return undefined;
  return mod[kind] ?? null;
}

/** Every sluice_* metric name the data plane's source defines. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.test.ts')) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"`](sluice_[a-z0-9_]+)['"`]/g)) names.add(m[1]);
      }
    }
  };
  walk(path.join(ROOT, 'data-plane/src'));
  walk(path.join(ROOT, 'control-plane/src'));
  return names;
}

const overlays = overlayNames();

it('has the overlays the install guide names', () => {
  expect(overlays).toEqual(expect.arrayContaining(['default', 'edge-daemonset', 'etcd-grpc-proxy', 'external-etcd', 'monitoring']));
});

describe.each(overlays)('overlay %s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await renderOverlay(overlay);
  });

  const gatewayContainers = () =>
    containersOf(objects)
      .filter(({ container }) => isGatewayContainer(container))
      .map((c) => ({ ...c, ...gatewayOptions(objects, c.workload, c.pod, c.container) }));
  const byCommand = (command: string) => gatewayContainers().filter((c) => c.command === command);

  it('validates every object against the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const what = `${o.apiVersion} ${o.kind} ${o.metadata?.name}`;
      expect(o.metadata?.name, what).toBeTruthy();
      const model = await modelOf(o.apiVersion, o.kind);
      if (model === null) throw new Error(`kubernetes-models knows ${o.apiVersion} but not kind ${o.kind}`);
      if (model) {
        try {
          new model(o).validate();
        } catch (err) {
          throw new Error(`${what}: ${(err as Error).message}`);
        }
      } else {
        const check = HAND_CHECKED[`${o.apiVersion} ${o.kind}`];
        // Kinds of other projects (e.g. cert-manager in the webhook component) get the basics only.
        if (check) check(o);
        else expect(o.spec ?? o.data ?? o.webhooks, `${what} has no content`).toBeDefined();
      }
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, `${what} is cluster-scoped`).toBeUndefined();
      else expect(o.metadata.namespace, `${what} namespace`).toBe(NAMESPACE);
    }
  });

  it('gives the control plane read access to every kind it watches, and write access only to status, Events and its Lease', () => {
    const [deployment] = byCommand('control-plane').map((c) => c.workload);
    expect(deployment, 'a control-plane Deployment').toBeDefined();
    const account = deployment.spec.template.spec.serviceAccountName;
    const bindings = find(objects, 'ClusterRoleBinding').filter((b) =>
      b.subjects?.some((s: any) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === NAMESPACE),
    );
    const rules = bindings.flatMap((b) => one(objects, 'ClusterRole', b.roleRef.name).rules);
    const missing: string[] = [];
    const need = (group: string, resource: string, verbs: string[]) => {
      for (const verb of verbs) if (!allows(rules, group, resource, verb)) missing.push(`${verb} ${group || 'core'}/${resource}`);
    };
    for (const w of WATCHED) need(API_GROUP(w.apiVersion), w.path.split('/').pop()!, READ);
    for (const kind of GATEWAY_API_KINDS) need('gateway.networking.k8s.io', kind, READ);
    for (const kind of GATEWAY_API_KINDS.filter((k) => k !== 'referencegrants')) need('gateway.networking.k8s.io', `${kind}/status`, ['update', 'patch']);
    for (const kind of OUR_CRD_KINDS) need('sluice.dev', kind, READ);
    for (const kind of OUR_CRD_KINDS) need('sluice.dev', `${kind}/status`, ['update', 'patch']);
    need('networking.k8s.io', 'ingresses/status', ['update', 'patch']);
    need('', 'events', ['create', 'patch']);
    expect(missing).toEqual([]);

    // Least privilege: no wildcards, reads everywhere else, writes only where the code writes.
    for (const rule of rules) {
      for (const field of ['apiGroups', 'resources', 'verbs']) expect(rule[field], JSON.stringify(rule)).not.toContain('*');
      for (const resource of rule.resources) {
        const allowed = resource.endsWith('/status') ? ['update', 'patch'] : resource === 'events' ? ['create', 'patch'] : READ;
        for (const verb of rule.verbs) expect(allowed, `${verb} ${resource}`).toContain(verb);
      }
    }

    // The Lease, in the namespace --leader-election-namespace names.
    const [cp] = byCommand('control-plane');
    const leaseNamespace = cp.opts['leader-election-namespace'];
    const roleRules = find(objects, 'RoleBinding')
      .filter((b) => b.metadata.namespace === leaseNamespace && b.subjects?.some((s: any) => s.name === account))
      .flatMap((b) => one(objects, b.roleRef.kind, b.roleRef.name).rules);
    expect(allows(roleRules, 'coordination.k8s.io', 'leases', 'create')).toBe(true);
    for (const verb of ['get', 'update']) expect(allows(roleRules, 'coordination.k8s.io', 'leases', verb, 'sluice-controller-leader'), verb).toBe(true);
  });

  it('passes gateway containers only flags and GATEWAY_* variables bin/gateway knows', () => {
    const containers = gatewayContainers();
    expect(containers.map((c) => c.command).sort()).toEqual(expect.arrayContaining(['control-plane', 'data-plane']));
    expect(ETCD_TLS_FLAGS).toHaveLength(3);
    for (const { command, args, configKeys, container, pod, opts } of containers) {
      expect(COMMANDS, `${command} is a gateway subcommand`).toContain(command);
      // parseOptions (strict) already threw on an unknown flag; check the spelling we rely on too.
      for (const arg of args.filter((a) => a.startsWith('--'))) expect(Object.keys(FLAGS), arg).toContain(arg.slice(2).split('=')[0]);
      const camel = (f: string) => f.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      // Canonical flag names only (the parser also takes old aliases; the manifests should not).
      for (const key of configKeys)
        expect(
          Object.keys(FLAGS).flatMap((f) => [f, camel(f)]),
          `sluice.yaml key ${key}`,
        ).toContain(key);
      for (const env of container.env ?? []) {
        if (env.name.startsWith('GATEWAY_')) expect([...Object.keys(FLAGS).map(flagEnvName), ...EXTRA_GATEWAY_ENV], env.name).toContain(env.name);
      }
      // Files the flags name exist in the pod: a mounted volume, writable where the process writes.
      for (const flag of ['kubeconfig', ...ETCD_TLS_FLAGS]) {
        if (opts[flag] === undefined) continue;
        const source = mountedSource(objects, pod, container, opts[flag]);
        expect(source, `--${flag} ${opts[flag]} is mounted`).toBeDefined();
        if (source!.volume?.configMap) expect(source!.content, `--${flag} ${opts[flag]} is a ConfigMap key`).toBeDefined();
      }
      if (command === 'data-plane') {
        const state = mountedSource(objects, pod, container, path.posix.join(opts['data-dir'], 'cache'));
        expect(state?.volume?.emptyDir ?? state?.volume?.persistentVolumeClaim, `--data-dir ${opts['data-dir']} is writable`).toBeDefined();
      }
    }
    for (const name of EXTRA_GATEWAY_ENV) {
      const used = fs.readFileSync(path.join(ROOT, 'control-plane/src/start-ingress-sync.ts'), 'utf8').includes(`process.env.${name}`);
      expect(used, `${name} is read by the code`).toBe(true);
    }
  });

  it('runs every Sluice container on one image tag, the release version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const images = gatewayContainers().map((c) => c.container.image);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toBe(`${IMAGE}:${version}`);
    const all = objects
      .flatMap((o) => o.spec?.template?.spec?.containers ?? [])
      .map((c: any) => String(c.image))
      .filter((i: string) => i.startsWith(IMAGE));
    expect(new Set(all)).toEqual(new Set([`${IMAGE}:${version}`]));
  });

  it("reaches the API server with the pod's service account (in-cluster), not a shipped kubeconfig", () => {
    const kube = gatewayContainers().filter((c) => c.command === 'control-plane' || c.command === 'webhook');
    expect(kube.length).toBeGreaterThan(0);
    for (const { command, opts, pod } of kube) {
      expect(opts.kubernetes, `${command} runs in Kubernetes mode`).toBe(true);
      expect(opts.kubeconfig, `${command} takes no --kubeconfig`).toBeUndefined();
      expect(pod.serviceAccountName, `${command} has its own service account`).toBeTruthy();
      expect(pod.automountServiceAccountToken, `${command} gets its token mounted`).not.toBe(false);
    }
    for (const cm of find(objects, 'ConfigMap')) expect(Object.keys(cm.data ?? {}), cm.metadata.name).not.toContain('kubeconfig.yaml');
  });

  it('probes paths the processes serve, on the ports their flags bind', () => {
    for (const { command, opts, container, workload } of gatewayContainers()) {
      const probes = ['readinessProbe', 'livenessProbe', 'startupProbe'].filter((p) => container[p]);
      expect(probes, `${workload.metadata.name} readiness and liveness`).toEqual(expect.arrayContaining(['readinessProbe', 'livenessProbe']));
      for (const p of probes) {
        const { httpGet } = container[p];
        expect(httpGet, `${p} is an HTTP probe`).toBeDefined();
        expect(SERVED[command], `what ${command} serves is known to this test`).toBeDefined();
        expect(SERVED[command].paths, `${workload.metadata.name} ${p}`).toContain(httpGet.path);
        expect(portNumber(container, httpGet.port), `${workload.metadata.name} ${p} port`).toBe(Number(opts[SERVED[command].flag]));
      }
    }
    // The data plane's traffic ports are container ports, so Services and hostPorts reach them.
    for (const { command, opts, container, pod } of gatewayContainers().filter((c) => c.command === 'data-plane')) {
      expect(command).toBe('data-plane');
      expect(portNumber(container, 'http')).toBe(opts['http-port']);
      expect(portNumber(container, 'https')).toBe(opts['https-port']);
      if (pod.hostNetwork) for (const p of container.ports) expect(p.hostPort ?? p.containerPort).toBe(p.containerPort);
    }
  });

  it('lets the data plane drain before the kubelet kills it', () => {
    const dataPlanes = byCommand('data-plane');
    expect(dataPlanes.length).toBeGreaterThan(0);
    for (const { opts, container, pod, workload } of dataPlanes) {
      const sleep = preStopSeconds(container);
      expect(sleep, `${workload.metadata.name} preStop sleep`).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds, `${workload.metadata.name} grace > ${opts['drain-seconds']} drain + ${sleep} preStop`).toBeGreaterThan(
        opts['drain-seconds'] + sleep,
      );
    }
  });

  it('runs every container non-root, read-only, with no capability but NET_BIND_SERVICE', () => {
    for (const { container, pod, workload } of containersOf(objects)) {
      const what = `${workload.kind}/${workload.metadata.name} ${container.name}`;
      const sc = container.securityContext ?? {};
      expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, `${what} runAsNonRoot`).toBe(true);
      expect(sc.runAsUser ?? pod.securityContext?.runAsUser, `${what} runAsUser`).toBeGreaterThan(0);
      expect(sc.readOnlyRootFilesystem, `${what} readOnlyRootFilesystem`).toBe(true);
      expect(sc.allowPrivilegeEscalation, `${what} allowPrivilegeEscalation`).toBe(false);
      expect(sc.privileged ?? false, `${what} privileged`).toBe(false);
      expect(sc.capabilities?.drop, `${what} drops ALL`).toContain('ALL');
      for (const cap of sc.capabilities?.add ?? []) expect(['NET_BIND_SERVICE'], `${what} adds ${cap}`).toContain(cap);
      expect((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, `${what} seccomp`).toBe('RuntimeDefault');
      expect(container.resources?.requests?.cpu, `${what} cpu request`).toBeDefined();
      expect(container.resources?.requests?.memory, `${what} memory request`).toBeDefined();
      expect(container.resources?.limits?.memory, `${what} memory limit`).toBeDefined();
      // Ports below 1024 need the capped node copy, and that copy needs the capability to exec at all.
      if (nodeOf(container.command) === LOW_PORTS_NODE) expect(sc.capabilities?.add ?? [], `${what} runs ${LOW_PORTS_NODE}`).toContain('NET_BIND_SERVICE');
      if (isGatewayContainer(container)) {
        const { opts } = gatewayOptions(objects, workload, pod, container);
        const lowPorts = Object.keys(FLAGS).filter((f) => f.endsWith('-port') && Number(opts[f]) > 0 && Number(opts[f]) < 1024);
        if (lowPorts.length) expect(nodeOf(container.command), `${what} binds ${lowPorts.join(', ')} below 1024`).toBe(LOW_PORTS_NODE);
        // A command that replaces the image's entrypoint keeps its init as PID 1.
        if (container.command) expect(container.command.slice(0, 2), `${what} starts under tini`).toEqual(['/usr/bin/tini', '--']);
      }
    }
  });

  it('names its own controller in the IngressClass and GatewayClass', () => {
    const [cp] = byCommand('control-plane');
    const ingressClass = one(objects, 'IngressClass', cp.opts['ingress-class']);
    expect(ingressClass.spec.controller).toBe(cp.opts['controller-name']);
    expect(one(objects, 'GatewayClass', 'sluice').spec.controllerName).toBe(cp.opts['controller-name']);
    expect(FLAGS['controller-name'][1]).toBe(cp.opts['controller-name']);
  });

  it('connects Services, autoscalers and budgets to pods that exist', () => {
    const pods = objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind));
    const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);
    for (const svc of find(objects, 'Service')) {
      const targets = pods.filter((w) => selects(svc.spec.selector, w.spec.template.metadata.labels));
      expect(targets.length, `Service ${svc.metadata.name} selects a workload`).toBeGreaterThan(0);
      for (const port of svc.spec.ports) {
        const container = targets.flatMap((w) => w.spec.template.spec.containers).find((c: any) => portNumber(c, port.targetPort ?? port.port) !== undefined);
        expect(container, `Service ${svc.metadata.name} port ${port.name}`).toBeDefined();
      }
    }
    for (const pdb of find(objects, 'PodDisruptionBudget')) {
      expect(
        pods.some((w) => selects(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels)),
        `PDB ${pdb.metadata.name}`,
      ).toBe(true);
    }
    for (const hpa of find(objects, 'HorizontalPodAutoscaler')) {
      const target = one(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(
        target.spec.template.spec.containers.every((c: any) => c.resources?.requests?.cpu),
        'CPU utilisation needs CPU requests',
      ).toBe(true);
    }
    for (const sm of find(objects, 'ServiceMonitor')) {
      const services = find(objects, 'Service').filter((s) => selects(sm.spec.selector.matchLabels, s.metadata.labels ?? {}));
      expect(services.length, `ServiceMonitor ${sm.metadata.name} selects a Service`).toBeGreaterThan(0);
      for (const e of sm.spec.endpoints)
        expect(
          services.every((s) => s.spec.ports.some((p: any) => p.name === e.port)),
          `port ${e.port}`,
        ).toBe(true);
    }
  });

  it('runs etcd as three members that know each other, or points at an external etcd over TLS', () => {
    const etcds = find(objects, 'StatefulSet').filter((s) => s.spec.template.spec.containers.some((c: any) => /\betcd\b/.test(c.image)));
    const [dp] = byCommand('data-plane');
    const endpoints: string[] = dp.opts.etcdEndpoints;
    if (etcds.length === 0) {
      expect(overlay).toBe('external-etcd');
      for (const e of endpoints) expect(e).toMatch(/^https:\/\//);
      for (const c of gatewayContainers()) for (const flag of ETCD_TLS_FLAGS) expect(c.opts[flag], flag).toBeDefined();
      return;
    }
    expect(etcds).toHaveLength(1);
    const [sts] = etcds;
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.volumeClaimTemplates?.length).toBeGreaterThan(0);
    expect(sts.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length).toBeGreaterThan(0);
    const headless = one(objects, 'Service', sts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    const container = sts.spec.template.spec.containers[0];
    for (const p of ['readinessProbe', 'livenessProbe']) expect(container[p], p).toBeDefined();
    const arg = (name: string) =>
      container.args
        .find((a: string) => a.startsWith(`--${name}=`))
        ?.split('=')
        .slice(1)
        .join('=');
    const members = arg('initial-cluster')!
      .split(',')
      .map((m: string) => m.split('='));
    expect(members).toHaveLength(3);
    members.forEach(([name, peer]: string[], i: number) => {
      expect(name).toBe(`${sts.metadata.name}-${i}`);
      expect(new URL(peer).hostname).toBe(`${name}.${sts.spec.serviceName}`);
    });
    // The control plane talks to exactly those members; so does the data plane, or the etcd grpc-proxy it reads through.
    const memberHosts = members.map(([name]: string[]) => `${name}.${sts.spec.serviceName}`).sort();
    const hostsOf = (list: string[]) => list.map((e) => new URL(e.includes('://') ? e : `http://${e}`).hostname).sort();
    const [cp] = byCommand('control-plane');
    expect(hostsOf(cp.opts.etcdEndpoints)).toEqual(memberHosts);
    const proxy = etcdProxyBehind(endpoints);
    expect(hostsOf(proxy ? proxy.upstreams : endpoints)).toEqual(memberHosts);
  });

  /** The `etcd grpc-proxy` container a data plane's only endpoint leads to (through its Service), if it does. */
  const etcdProxyBehind = (endpoints: string[]) => {
    if (endpoints.length !== 1) return undefined;
    const url = new URL(endpoints[0]);
    const service = find(objects, 'Service', url.hostname)[0];
    if (!service) return undefined;
    const selects = (labels: Record<string, string>) => Object.entries(service.spec.selector).every(([k, v]) => labels?.[k] === v);
    const workload = objects.find((o) => WORKLOAD_KINDS.includes(o.kind) && selects(o.spec.template.metadata.labels));
    const container = workload?.spec.template.spec.containers.find((c: any) => c.args?.[0] === 'grpc-proxy' && c.args?.[1] === 'start');
    if (!container) return undefined;
    const arg = (name: string) =>
      container.args
        .find((a: string) => a.startsWith(`--${name}=`))
        ?.split('=')
        .slice(1)
        .join('=');
    const servicePort = service.spec.ports.find((p: any) => p.port === Number(url.port));
    return { service, workload: workload!, container, servicePort, upstreams: String(arg('endpoints')).split(','), arg };
  };

  // Overlay-specific checks are only declared for their overlay (so nothing is reported as skipped).
  if (overlay === 'edge-daemonset') {
    it('runs the edge data plane on the host network on ports 80 and 443', () => {
      const [dp] = byCommand('data-plane');
      expect(dp.workload.kind).toBe('DaemonSet');
      expect(dp.pod.hostNetwork).toBe(true);
      expect(dp.pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
      expect(dp.opts['http-port']).toBe(80);
      expect(dp.opts['https-port']).toBe(443);
      expect(Object.keys(dp.pod.nodeSelector ?? {})).not.toEqual([]);
      expect(dp.pod.tolerations?.length).toBeGreaterThan(0);
      expect(find(objects, 'Deployment', 'sluice-data-plane')).toEqual([]);
      expect(one(objects, 'Namespace', NAMESPACE).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    });
  } else {
    it('puts the data plane Deployment behind a LoadBalancer Service on http and https', () => {
      const [dp] = byCommand('data-plane');
      expect(dp.workload.kind).toBe('Deployment');
      expect(dp.workload.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const svc = one(objects, 'Service', 'sluice-data-plane');
      expect(svc.spec.type).toBe('LoadBalancer');
      expect(svc.spec.ports.map((p: any) => p.name).sort()).toEqual(['http', 'https']);
      expect(find(objects, 'HorizontalPodAutoscaler')[0]?.spec.metrics[0].resource.name).toBe('cpu');
      expect(find(objects, 'PodDisruptionBudget', 'sluice-data-plane')).toHaveLength(1);
      expect(one(objects, 'Service', 'sluice-admin').spec.type).toBe('ClusterIP');
    });
  }

  if (overlay === 'etcd-grpc-proxy') {
    it('reads etcd through one grpc-proxy per node, the control plane writing to the members', () => {
      const dataPlanes = byCommand('data-plane');
      expect(dataPlanes.length).toBeGreaterThan(0);
      for (const dp of dataPlanes) {
        const proxy = etcdProxyBehind(dp.opts.etcdEndpoints);
        expect(proxy, `${dp.workload.metadata.name} reads etcd through a grpc-proxy Service`).toBeDefined();
        expect(proxy!.workload.kind).toBe('DaemonSet');
        // Node-local: a data plane shares its node's proxy (and that proxy's one watch on etcd).
        expect(proxy!.service.spec.internalTrafficPolicy).toBe('Local');
        expect(portNumber(proxy!.container, proxy!.servicePort.targetPort)).toBe(Number(proxy!.arg('listen-addr')!.split(':').pop()));
        // A page of large documents must fit the proxy's send limit (etcd 3.5's default is 1.5 MiB).
        expect(Number(proxy!.arg('max-send-bytes'))).toBeGreaterThanOrEqual(64 * 1024 * 1024);
        expect(proxy!.container.readinessProbe?.httpGet?.path).toBe('/health');
      }
      for (const cp of byCommand('control-plane')) expect(etcdProxyBehind(cp.opts.etcdEndpoints), 'the control plane writes to the members').toBeUndefined();
    });
  }

  if (overlay === 'monitoring') {
    it('ships a Grafana dashboard whose queries use metrics the data plane exports', () => {
      const cm = find(objects, 'ConfigMap').find((c) => c.metadata.labels?.grafana_dashboard === '1');
      expect(cm, 'a ConfigMap labelled grafana_dashboard: "1"').toBeDefined();
      const dashboard = JSON.parse(Object.values(cm!.data as Record<string, string>)[0]);
      const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
      expect(exprs.length).toBeGreaterThan(5);
      const exported = exportedMetricNames();
      const used = new Set(exprs.flatMap((e) => [...e.matchAll(/sluice_[a-z0-9_]+/g)].map((m) => m[0])));
      for (const name of used) {
        const base = exported.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
        expect(exported, `${name} is exported by data-plane/src or control-plane/src`).toContain(base);
      }
      expect(
        find(objects, 'ServiceMonitor')
          .map((m) => m.metadata.name)
          .sort(),
      ).toEqual(['sluice-control-plane', 'sluice-data-plane']);
    });

    it('ships the alerts docs/operations.md describes, on metrics Sluice exports', () => {
      const [rule] = find(objects, 'PrometheusRule');
      expect(rule, 'a PrometheusRule').toBeDefined();
      const rules: any[] = rule.spec.groups.flatMap((g: any) => g.rules);
      expect(rules.length).toBeGreaterThanOrEqual(8);
      const exported = exportedMetricNames();
      const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
      for (const r of rules) {
        expect(r.alert, 'each rule is an alert').toMatch(/^Sluice[A-Za-z0-9]+$/);
        expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
        expect(r.annotations?.summary, r.alert).toBeTruthy();
        const used = [...String(r.expr).matchAll(/sluice_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
        expect(used.length, r.alert).toBeGreaterThan(0);
        for (const name of used) expect(exported, `${r.alert}: ${name}`).toContain(name);
        expect(operations, `${r.alert} is described in docs/operations.md`).toContain(r.alert);
      }
      // The control plane's status port is a container port its metrics Service targets.
      const cp = find(objects, 'Deployment', 'sluice-control-plane')[0];
      expect(cp.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'status')?.containerPort).toBe(9092);
    });
  }
});
