// In-cluster configuration: a control plane "in a pod" (KUBERNETES_SERVICE_HOST/PORT set and a
// service-account token, CA and namespace mounted, here under a temp dir standing in for `/`)
// reaches the test API server over HTTPS with the mounted token, with no --kubeconfig: it syncs an
// Ingress into etcd and takes the leader Lease. The API server refuses requests without the token,
// so a sync proves the token was sent; a CA mismatch proves the mounted CA is what is trusted.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionPrefix } from '@sluice/model';
import { LEADER_LEASE_NAME } from '../../control-plane/src/leader/lease-election.js';
import { loadKubeConfig, runsInCluster, SERVICE_ACCOUNT_DIR } from '../../control-plane/src/source/load-kube-config.js';
import { runControlPlane } from '../../control-plane/src/run-control-plane.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server.js';
import { waitFor } from '../helpers/ports.js';
import { ingressClass, shopIngress, shopService, shopSlice } from '../e2e/ingress-fixtures.js';

const TOKEN = 'in-cluster-test-token';
let pki: TestPki;
let otherPki: TestPki;
let api: KubeApiServer;
let etcd: TestEtcd;
let root: string;
const savedEnv = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, kubeconfig: process.env.KUBECONFIG };

/** A pod's service-account mount under `base`, as the kubelet lays it out. */
function mountServiceAccount(base: string, ca: string) {
  const dir = path.join(base, SERVICE_ACCOUNT_DIR);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  fs.copyFileSync(ca, path.join(dir, 'ca.crt'));
  fs.writeFileSync(path.join(dir, 'namespace'), 'sluice-system');
}

beforeAll(async () => {
  pki = makeTestPki();
  otherPki = makeTestPki();
  [api, etcd] = await Promise.all([startKubeApiServer({ tls: { cert: pki.serverCert, key: pki.serverKey }, token: TOKEN }), startEtcd()]);
  api.apply(ingressClass);
  api.apply(shopService);
  api.apply(shopSlice(8080));
  api.apply(shopIngress);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pod-'));
  mountServiceAccount(root, pki.ca);
  process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
  process.env.KUBERNETES_SERVICE_PORT = new URL(api.url).port;
});

afterAll(async () => {
  for (const [name, value] of [
    ['KUBERNETES_SERVICE_HOST', savedEnv.host],
    ['KUBERNETES_SERVICE_PORT', savedEnv.port],
    ['KUBECONFIG', savedEnv.kubeconfig],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await api?.close();
  await etcd?.stop();
  pki?.cleanup();
  otherPki?.cleanup();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('Kubernetes connection', () => {
  it('detects a pod by its service environment and mounted token', () => {
    expect(runsInCluster(root)).toBe(true);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-nopod-'));
    try {
      expect(runsInCluster(empty)).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    const { kubeConfig, origin } = loadKubeConfig({ serviceAccountRoot: root });
    expect(origin).toContain("pod's service account");
    expect(kubeConfig.getCurrentCluster()?.server).toBe(api.url);
    expect(kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace).toBe('sluice-system');
  });

  it('uses the default kubeconfig ($KUBECONFIG) outside a pod, and --kubeconfig over both', () => {
    const notAPod = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-nopod-'));
    process.env.KUBECONFIG = api.kubeconfigPath;
    try {
      const fromDefault = loadKubeConfig({ serviceAccountRoot: notAPod });
      expect(fromDefault.origin).toContain(`$KUBECONFIG (${api.kubeconfigPath})`);
      expect(fromDefault.kubeConfig.getCurrentCluster()?.server).toBe(api.url);
      expect(loadKubeConfig({ kubeconfig: api.kubeconfigPath, serviceAccountRoot: root }).origin).toBe(`kubeconfig ${api.kubeconfigPath}`);
      expect(() => loadKubeConfig({ kubeconfig: path.join(notAPod, 'missing.yaml') })).toThrow(/--kubeconfig .*missing\.yaml cannot be loaded: ENOENT/);
    } finally {
      delete process.env.KUBECONFIG;
      fs.rmSync(notAPod, { recursive: true, force: true });
    }
  });

  it('syncs Ingresses and takes the leader Lease with the mounted token and CA, no --kubeconfig', async () => {
    const prefix = etcd.prefix('in-cluster');
    const cp = await runControlPlane({
      etcd: [etcd.endpoint],
      prefix,
      adminPort: 0,
      host: '127.0.0.1',
      adminKey: 'k',
      dashboardDir: false,
      kubernetes: true,
      serviceAccountRoot: root,
      leaderElectionNamespace: 'sluice-system',
    });
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      expect(cp.kubeOrigin).toContain("pod's service account");
      await waitFor(async () => (await client.getAll().prefix(collectionPrefix(prefix, 'routes')).keys()).length > 0, 15_000, 'Ingress route in etcd');
      await waitFor(() => api.get('Lease', LEADER_LEASE_NAME, 'sluice-system') !== undefined, 15_000, 'leader Lease');
      expect(api.requests).toContain('WATCH /apis/networking.k8s.io/v1/ingresses');
      expect(api.requests.filter((r) => r.startsWith('UNAUTHORIZED'))).toEqual([]);
    } finally {
      client.close();
      await cp.stop();
    }
    // The server really demands the token: the same request without it is refused.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      https.get(`${api.url}/api/v1/services`, { ca: fs.readFileSync(pki.ca) }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject),
    );
    expect(status).toBe(401);
  });

  it('trusts only the mounted CA', async () => {
    const wrongCa = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pod-'));
    mountServiceAccount(wrongCa, otherPki.ca);
    try {
      const { kubeConfig } = loadKubeConfig({ serviceAccountRoot: wrongCa });
      const { CoreV1Api } = await import('@kubernetes/client-node');
      const served = api.requests.length;
      const err = await kubeConfig
        .makeApiClient(CoreV1Api)
        .listServiceForAllNamespaces()
        .catch((e: Error & { cause?: unknown }) => e);
      expect(String((err as { cause?: unknown }).cause ?? err)).toMatch(/certificate|self.signed|unable to verify/i);
      expect(api.requests.length).toBe(served);
    } finally {
      fs.rmSync(wrongCa, { recursive: true, force: true });
    }
  });
});
