// Two control-plane replicas against one test Kubernetes API server and one etcd: a Lease elects
// one writer; its status write-back and Events reach the API server; killing it hands over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { startHttpEcho, type EchoServer } from '../helpers/upstreams.js';
import { ingressClass, shopIngress, shopService, shopSlice } from './ingress-fixtures.js';

const PUBLISHED = '192.0.2.10';
let etcd: TestEtcd;
let api: KubeApiServer;
const replicas: GatewayProcess[] = [];
let dp: GatewayProcess;
let blue: EchoServer;
let green: EchoServer;

const became = (p: GatewayProcess) => p.output().includes('became the leader');
const holder = () => (api.get('Lease', 'sluice-controller-leader', 'default')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '';
const upstreamOf = async () => {
  const res = await fetch(`http://127.0.0.1:${dp.ports.http}/shop`);
  await res.arrayBuffer();
  return res.headers.get('x-upstream');
};

beforeAll(async () => {
  [etcd, api, blue, green] = await Promise.all([startEtcd(), startKubeApiServer(), startHttpEcho('blue'), startHttpEcho('green')]);
  api.apply(ingressClass);
  api.apply(shopService);
  api.apply(shopSlice(blue.port));
  // The unknown annotation makes a translator warning, which must become an Event.
  api.apply({ ...shopIngress, metadata: { ...shopIngress.metadata, annotations: { 'nginx.ingress.kubernetes.io/no-such-thing': 'x' } } });
  const prefix = etcd.prefix('ingress-leader');
  const flags = { etcd: etcd.endpoint, prefix, kubeconfig: api.kubeconfigPath, 'publish-status-address': PUBLISHED };
  // One after the other, so the first is the leader for sure.
  replicas.push(await startGateway('control-plane', flags));
  replicas.push(await startGateway('control-plane', flags));
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
}, 60_000);

afterAll(async () => {
  await Promise.all([...replicas.map((r) => r.stop()), dp?.stop()]);
  await Promise.all([blue?.close(), green?.close(), api?.close()]);
  await etcd?.stop();
});

describe('Ingress control plane with leader election', () => {
  it('elects exactly one leader, which alone writes etcd', async () => {
    const [first, second] = replicas;
    await waitFor(async () => (await upstreamOf()) === 'blue', 15_000, 'route served');
    expect(holder()).toMatch(new RegExp(`-${first.child.pid}$`));
    expect(became(first)).toBe(true);
    expect(became(second)).toBe(false);
    expect(second.output()).not.toContain('synced');
  });

  it('writes the published address into the Ingress status', async () => {
    await waitFor(
      () =>
        (api.get('Ingress', 'shop', 'default') as KubeObject & { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } })?.status?.loadBalancer
          ?.ingress?.[0]?.ip === PUBLISHED,
      10_000,
      'status written',
    );
  });

  it('posts the translator warning as a Kubernetes Event on the Ingress, once', async () => {
    const events = async () => {
      const res = await fetch(`${api.url}/api/v1/namespaces/default/events`);
      const body = (await res.json()) as { items: { type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }[] };
      return body.items.filter((e) => e.involvedObject.kind === 'Ingress' && e.involvedObject.name === 'shop' && e.type === 'Warning');
    };
    await waitFor(async () => (await events()).length > 0, 10_000, 'warning event');
    const [event] = await events();
    expect(event.reason).toBe('Warning');
    expect(event.message).toContain('no-such-thing');
    // The status write re-triggers a sync with the same warning: rate limiting keeps it one Event.
    expect(await events()).toHaveLength(1);
  });

  it('hands over to the other replica when the leader dies, which keeps syncing', async () => {
    const [first, second] = replicas;
    await first.kill();
    const killedAt = Date.now();
    await waitFor(() => became(second), 25_000, 'second replica leads');
    // Lease 15 s, renewed every 5 s, followers look every 2 s.
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(holder()).toMatch(new RegExp(`-${second.child.pid}$`));
    api.apply(shopSlice(green.port));
    await waitFor(async () => (await upstreamOf()) === 'green', 10_000, 'new leader synced the EndpointSlice change');
  }, 40_000);
});
