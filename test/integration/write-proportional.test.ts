// Writes proportional to the change (issue 14): with 2,000 HTTPRoutes and 1,000 Ingresses synced
// from a manifest folder into a real etcd, adding or removing one HTTPRoute or one Ingress writes
// only that object's documents. Counted as etcd sees it: the events of a watch on the prefix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3, type IKeyValue } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createControlPlaneMetrics } from '../../control-plane/src/observe/control-plane-metrics.js';
import { startIngressSync, type IngressSync } from '../../control-plane/src/start-ingress-sync.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';

const HTTP_ROUTES = 2000;
const INGRESSES = 1000;

/** One creation time per object, a second apart, so the objects added later are the youngest. */
const createdAt = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString().replace('.000Z', 'Z');

const httpRoute = (i: number) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'default', name: `route-${i}`, uid: `route-${i}-uid`, generation: 1, creationTimestamp: createdAt(i) },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: [`r${i}.example.com`],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'echo', port: 8080 }] }],
  },
});

const ingress = (i: number) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace: 'default', name: `ing-${i}`, uid: `ing-${i}-uid`, creationTimestamp: createdAt(i) },
  spec: {
    ingressClassName: 'sluice',
    rules: [
      { host: `i${i}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 8080 } } } }] } },
    ],
  },
});

const base = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice' }, spec: { controller: 'sluice.dev/gateway-controller' } },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'sluice', generation: 1 },
    spec: { controllerName: 'sluice.dev/gateway-controller' },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { namespace: 'default', name: 'gw', uid: 'gw-uid', generation: 1, creationTimestamp: createdAt(0) },
    spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name: 'echo', uid: 'echo-uid' },
    spec: { ports: [{ name: 'http', port: 8080, targetPort: 3000 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: 'echo-abc', labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 3000 }],
    endpoints: [{ addresses: ['10.0.0.1'] }],
  },
];

const yaml = (objects: object[]) => objects.map((o) => YAML.stringify(o)).join('---\n');

let etcd: TestEtcd;
let client: Etcd3;
let dir: string;
let sync: IngressSync | undefined;
let prefix: string;
const metrics = createControlPlaneMetrics();

/** Completed syncs so far (the sync histogram's count). */
async function syncs(): Promise<number> {
  const { values } = await metrics.registry.getSingleMetric('sluice_control_plane_sync_duration_seconds')!.get();
  return values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
}

interface Change {
  puts: { key: string; owner: string }[];
  deletes: string[];
}

/**
 * Runs `change` (a file edit) and returns what etcd saw between the revision before it and the
 * end of the sync it caused: every put with its document's owner, every deleted key.
 */
async function etcdWritesOf(change: () => void): Promise<Change> {
  const before = await syncs();
  const startRevision = Number((await client.get(`${prefix}/`).exec()).header.revision);
  change();
  await waitFor(async () => (await syncs()) > before, 20_000, 'the sync of the change');
  const result: Change = { puts: [], deletes: [] };
  const endRevision = Number((await client.get(`${prefix}/`).exec()).header.revision);
  if (endRevision === startRevision) return result;
  const watcher = await client
    .watch()
    .prefix(`${prefix}/`)
    .startRevision(String(startRevision + 1))
    .create();
  await new Promise<void>((resolve) => {
    const seen = (kv: IKeyValue) => {
      if (Number(kv.mod_revision) >= endRevision) resolve();
    };
    watcher.on('put', (kv) => {
      const owner = JSON.parse(kv.value.toString()).owner;
      result.puts.push({ key: kv.key.toString(), owner: `${owner?.kind}/${owner?.namespace}/${owner?.name}` });
      seen(kv);
    });
    watcher.on('delete', (kv) => {
      result.deletes.push(kv.key.toString());
      seen(kv);
    });
  });
  await watcher.cancel();
  return result;
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  prefix = etcd.prefix('write-proportional');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-write-proportional-'));
  const objects = [...base];
  for (let i = 1; i <= HTTP_ROUTES; i++) objects.push(httpRoute(i));
  for (let i = 1; i <= INGRESSES; i++) objects.push(ingress(i));
  fs.writeFileSync(path.join(dir, 'all.yaml'), yaml(objects));
  sync = await startIngressSync({ etcd: client, prefix, manifests: dir, metrics });
  const routes = await client.getAll().prefix(`${prefix}/routes/`).count();
  expect(routes).toBe(HTTP_ROUTES + INGRESSES);
}, 120_000);

afterAll(async () => {
  await sync?.close();
  client?.close();
  await etcd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Adds `object` in a file of its own, then removes the file: the first sync must put only
 * documents owned by `owner`, the second delete exactly those and put nothing.
 */
async function expectOwnDocumentsOnly(fileName: string, object: object, owner: string): Promise<void> {
  const file = path.join(dir, fileName);
  const added = await etcdWritesOf(() => fs.writeFileSync(file, yaml([object])));
  expect(added.deletes).toEqual([]);
  expect(added.puts.length).toBeGreaterThan(0);
  expect(added.puts.filter((p) => p.owner !== owner)).toEqual([]);

  const removed = await etcdWritesOf(() => fs.rmSync(file));
  expect(removed.puts).toEqual([]);
  expect(removed.deletes.sort()).toEqual(added.puts.map((p) => p.key).sort());
}

describe('etcd writes per change', () => {
  it(`adding one HTTPRoute to ${HTTP_ROUTES} writes only that route's documents, and removing it deletes only them`, async () => {
    // The youngest route: under dense priority ranks it sorted last and shifted every other rank.
    const n = HTTP_ROUTES + INGRESSES + 1;
    await expectOwnDocumentsOnly('extra-route.yaml', httpRoute(n), `HTTPRoute/default/route-${n}`);
  }, 60_000);

  it(`adding one Ingress to ${INGRESSES} writes only that Ingress's documents, and removing it deletes only them`, async () => {
    const n = HTTP_ROUTES + INGRESSES + 2;
    await expectOwnDocumentsOnly('extra-ingress.yaml', ingress(n), `Ingress/default/ing-${n}`);
  }, 60_000);
});
