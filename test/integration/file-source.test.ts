// FileSource: a folder of manifests becomes Resources snapshots: multi-document files, List
// kinds, unknown kinds ignored, a broken file skipped with a warning, live changes coalesced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSource } from '../../control-plane/src/source/file-source.js';
import type { ResourceSource } from '../../control-plane/src/source/resource-source.js';
import type { Resources } from '../../control-plane/src/translate/types.js';
import { waitFor } from '../helpers/ports.js';

let dir: string;
let source: ResourceSource | undefined;

const names = (items: readonly { metadata?: { name?: string; namespace?: string } }[]) =>
  items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`).sort();

/** Writes atomically, as editors and `kubectl`-style tools do, so the watcher never reads half a file. */
const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, `.${name}.tmp`), text);
  fs.renameSync(path.join(dir, `.${name}.tmp`), path.join(dir, name));
};

async function start(warnings: { object: string; message: string }[] = []) {
  const snapshots: Resources[] = [];
  source = createFileSource({ dir, warn: (w) => warnings.push(w), coalesceMs: 50 });
  await source.start((r) => snapshots.push(r));
  return snapshots;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-manifests-'));
});
afterEach(async () => {
  await source?.close();
  source = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FileSource', () => {
  it('reads multi-document YAML, JSON and List kinds, defaults the namespace and ignores unknown kinds', async () => {
    write(
      'app.yaml',
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata: {name: shop, namespace: prod}',
        'spec: {ingressClassName: sluice, defaultBackend: {service: {name: shop, port: {number: 80}}}}',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: shop}',
        'spec: {ports: [{port: 80}]}',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: shop}',
        '---',
        '',
      ].join('\n'),
    );
    write(
      'list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice' }, spec: { controller: 'sluice.dev/gateway-controller' } },
          { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'shop-1', namespace: 'prod' }, addressType: 'IPv4', endpoints: [] },
        ],
      }),
    );
    write(
      'typed-list.yml',
      'apiVersion: v1\nkind: SecretList\nitems:\n  - metadata: {name: tls}\n    apiVersion: v1\n    type: kubernetes.io/tls\n    stringData: {tls.crt: c, tls.key: k}\n',
    );
    write('notes.txt', 'kind: Service\nmetadata: {name: ignored}\nspec: {ports: [{port: 80}]}\n');

    const [first] = await start();
    expect(names(first.ingresses)).toEqual(['prod/shop']);
    expect(names(first.services)).toEqual(['default/shop']);
    expect(names(first.ingressClasses)).toEqual(['/sluice']);
    expect(names(first.endpointSlices)).toEqual(['prod/shop-1']);
    expect(names(first.secrets)).toEqual(['default/tls']);
    expect((first.secrets[0] as { kind?: string }).kind).toBe('Secret');
    expect(first.configMaps).toEqual([]);
  });

  it('skips a file that does not parse with a warning, applies the rest, and keeps a file’s last good version', async () => {
    write('good.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: good}\nspec: {ports: [{port: 80}]}\n');
    write('bad.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n');
    const warnings: { object: string; message: string }[] = [];
    const snapshots = await start(warnings);
    expect(names(snapshots[0].services)).toEqual(['default/good']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].object).toContain('bad.yaml');
    expect(warnings[0].message).toMatch(/skipped: line \d+/);

    // good.yaml breaks later: its Service stays (last good version), and the user is told.
    write('good.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: good\n  oops: : :\n');
    await waitFor(() => warnings.some((w) => w.object.endsWith('good.yaml')), 5_000, 'warning for good.yaml');
    expect(names(snapshots[snapshots.length - 1].services)).toEqual(['default/good']);
  });

  it('publishes a new snapshot when a file is added, changed or removed, one per burst', async () => {
    write('a.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n');
    const snapshots = await start();
    expect(snapshots).toHaveLength(1);

    write('b.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}\n');
    await waitFor(() => names(snapshots[snapshots.length - 1].services).join() === 'default/a,default/b', 5_000, 'b added');

    const before = snapshots.length;
    for (let i = 0; i < 20; i++) write('c.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {n: "${i}"}\n`);
    await waitFor(() => (snapshots[snapshots.length - 1].configMaps[0] as { data?: { n?: string } } | undefined)?.data?.n === '19', 5_000, 'last write');
    // Twenty writes in a tight loop arrive as a handful of snapshots, not twenty.
    expect(snapshots.length - before).toBeLessThanOrEqual(3);

    fs.rmSync(path.join(dir, 'a.yaml'));
    await waitFor(() => names(snapshots[snapshots.length - 1].services).join() === 'default/b', 5_000, 'a removed');
  });

  it('follows a file saved by rename over and over, then written in place, deleted and created again (issue 15)', async () => {
    const service = (port: number) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: ${port}}]}\n`;
    const portOf = (snapshots: Resources[]) =>
      (snapshots[snapshots.length - 1].services[0] as { spec?: { ports?: { port: number }[] } } | undefined)?.spec?.ports?.[0]?.port;
    write('s.yaml', service(1));
    const snapshots = await start();
    expect(portOf(snapshots)).toBe(1);
    // Editors and `git checkout` write a temp file and rename it over the original: every save must count.
    for (const port of [2, 3, 4]) {
      write('s.yaml', service(port));
      await waitFor(() => portOf(snapshots) === port, 5_000, `rename save ${port}`);
    }
    fs.writeFileSync(path.join(dir, 's.yaml'), service(5));
    await waitFor(() => portOf(snapshots) === 5, 5_000, 'in-place write after renames');
    fs.rmSync(path.join(dir, 's.yaml'));
    await waitFor(() => portOf(snapshots) === undefined, 5_000, 'deleted');
    fs.writeFileSync(path.join(dir, 's.yaml'), service(6));
    await waitFor(() => portOf(snapshots) === 6, 5_000, 're-created');
    fs.writeFileSync(path.join(dir, 's.yaml'), service(7));
    await waitFor(() => portOf(snapshots) === 7, 5_000, 'in-place write after re-creation');
  });

  it('follows a subfolder made after the start, and a single file given instead of a folder', async () => {
    const snapshots = await start();
    fs.mkdirSync(path.join(dir, 'team'));
    fs.writeFileSync(path.join(dir, 'team', 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n');
    await waitFor(() => names(snapshots[snapshots.length - 1].services).join() === 'default/a', 5_000, 'file in a new subfolder');
    fs.writeFileSync(path.join(dir, 'team', 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a2}\nspec: {ports: [{port: 80}]}\n');
    await waitFor(() => names(snapshots[snapshots.length - 1].services).join() === 'default/a2', 5_000, 'in-place write in the subfolder');
    await source!.close();

    const file = path.join(dir, 'one.yaml');
    write('one.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: one}\nspec: {ports: [{port: 80}]}\n');
    const single: Resources[] = [];
    source = createFileSource({ dir: file, coalesceMs: 50 });
    await source.start((r) => single.push(r));
    expect(names(single[0].services)).toEqual(['default/one']);
    for (const name of ['two', 'three']) {
      write('one.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}\n`);
      await waitFor(() => names(single[single.length - 1].services).join() === `default/${name}`, 5_000, `single file saved by rename (${name})`);
    }
  });

  it('converts removed Ingress versions to v1 and refuses what the API server refuses, with warnings naming the field (issue 15)', async () => {
    // Seed 000: an extensions/v1beta1 Ingress (serviceName/servicePort, no pathType).
    write(
      'tornado.yaml',
      [
        'apiVersion: extensions/v1beta1',
        'kind: Ingress',
        'metadata: {name: tornado-socket, annotations: {kubernetes.io/ingress.class: nginx}}',
        'spec:',
        '  rules:',
        '  - host: tornado-ws.example.com',
        '    http:',
        '      paths:',
        '      - backend: {serviceName: tornado-socket, servicePort: 8000}',
      ].join('\n'),
    );
    // Seed 002 (the Helm chart's NOTES): a path without pathType and a Service named exampleService.
    write(
      'example.yaml',
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata: {name: example, namespace: foo}',
        'spec:',
        '  ingressClassName: nginx',
        '  rules:',
        '  - host: www.example.com',
        '    http:',
        '      paths:',
        '      - backend: {service: {name: exampleService, port: {number: 80}}}',
        '        path: /',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: exampleService, namespace: foo}',
        'spec: {ports: [{port: 80}]}',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: testsecret-tls}',
        'type: kubernetes.io/tls',
        'data: {tls.crt: base64 编码的 cert, tls.key: base64 编码的 key}',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: fine}',
        'spec: {ports: [{port: 80}]}',
      ].join('\n'),
    );
    const warnings: { object: string; message: string }[] = [];
    const [first] = await start(warnings);
    const said = (object: string) =>
      warnings
        .filter((w) => w.object === object)
        .map((w) => w.message)
        .join('\n');

    expect(names(first.services)).toEqual(['default/fine']);
    expect(first.secrets).toEqual([]);
    expect(said('Service/foo/exampleService')).toMatch(/metadata\.name.*RFC 1035/);
    expect(said('Secret/default/testsecret-tls')).toMatch(/data\[tls\.crt\].*base64/);
    expect(said('Ingress/foo/example')).toMatch(/spec\.rules\[0\]\.http\.paths\[0\]\.pathType/);

    expect(names(first.ingresses)).toEqual(['default/tornado-socket']);
    const tornado = first.ingresses[0]!;
    expect(tornado.apiVersion).toBe('networking.k8s.io/v1');
    expect(tornado.spec!.rules![0]!.http!.paths[0]).toEqual({
      path: '/',
      pathType: 'ImplementationSpecific',
      backend: { service: { name: 'tornado-socket', port: { number: 8000 } } },
    });
    expect(said('Ingress/default/tornado-socket')).toMatch(/extensions\/v1beta1.*removed.*networking\.k8s\.io\/v1/);
  });

  it('fails to start on a missing folder', async () => {
    source = createFileSource({ dir: path.join(dir, 'nope') });
    await expect(source.start(() => {})).rejects.toThrow(/ENOENT/);
  });
});
