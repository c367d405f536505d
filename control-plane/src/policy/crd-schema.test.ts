// The CRDs in crds/ are generated from the model: this proves the committed files are current,
// that they are structural (what apiextensions.k8s.io/v1 accepts), and that the API server
// (the CRD's openAPIV3Schema, with kubectl's strict field validation) and the model give the same
// verdict on good and bad RoutePolicies and Consumers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allPluginSpecs, compileSchema, validateSchema } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdManifests, renderCrdFile } from './crd-manifests.js';
import { ConsumerSpec } from './crd-schemas.js';
import type { SchemaNode } from './to-structural-schema.js';
import { validateRoutePolicy } from './validate-route-policy.js';

const crdsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../crds');

type Node = Record<string, unknown>;
const specSchemaOf = (file: string): Node => {
  const crd = parse(readFileSync(join(crdsDir, file), 'utf8')) as Node;
  const version = (crd.spec as { versions: { schema: { openAPIV3Schema: Node } }[] }).versions[0];
  return (version.schema.openAPIV3Schema.properties as Record<string, Node>).spec;
};

/** Every schema node below `node`, with its path. */
function* nodes(node: Node, path = ''): Generator<[string, Node]> {
  yield [path, node];
  for (const [k, v] of Object.entries((node.properties as Record<string, Node>) ?? {})) yield* nodes(v, `${path}/${k}`);
  if (node.items && typeof node.items === 'object') yield* nodes(node.items as Node, `${path}[]`);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') yield* nodes(node.additionalProperties as Node, `${path}/*`);
}

/**
 * The CRD schema as the API server applies it, for Ajv: OpenAPI's boolean exclusiveMinimum back to
 * draft 7, int-or-string as a union, and unknown fields refused where the schema does not preserve
 * them (kubectl's default `--validate=strict` server-side field validation).
 */
function asApiServer(node: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...node };
  if (out.exclusiveMinimum === true) Object.assign(out, { exclusiveMinimum: out.minimum, minimum: undefined });
  if (out.exclusiveMaximum === true) Object.assign(out, { exclusiveMaximum: out.maximum, maximum: undefined });
  if (out['x-kubernetes-int-or-string']) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, SchemaNode>).map(([k, v]) => [k, asApiServer(v)]));
    if (!out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  }
  if (out.items && typeof out.items === 'object') out.items = asApiServer(out.items as SchemaNode);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = asApiServer(out.additionalProperties as SchemaNode);
  return JSON.parse(JSON.stringify(out)) as SchemaNode;
}

const crdVerdict = (schema: SchemaNode) => {
  const validate = compileSchema(asApiServer(schema) as never);
  return (value: unknown) => validate(value) === true;
};

const ingressRef = { group: 'networking.k8s.io', kind: 'Ingress', name: 'shop' };
const routePolicy = (plugins: unknown, extra: object = {}) => ({ targetRefs: [ingressRef], plugins, ...extra });

describe('CRDs generated from the model', () => {
  it('are committed as generated (run npm run crds after changing a schema)', () => {
    for (const file of crdManifests()) {
      expect(readFileSync(join(crdsDir, file.file), 'utf8'), file.file).toBe(renderCrdFile(file));
    }
  });

  it('are structural: a type on every node, no draft-7-only or forbidden keywords', () => {
    for (const file of ['sluice.dev_routepolicies.yaml', 'sluice.dev_consumers.yaml']) {
      for (const [path, node] of nodes(specSchemaOf(file))) {
        const where = `${file}${path}`;
        expect(
          node.type !== undefined || node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true,
          `${where} has a type`,
        ).toBe(true);
        for (const banned of ['$id', '$schema', '$ref', 'default', 'uniqueItems', 'patternProperties', 'const', 'oneOf', 'additionalItems']) {
          expect(node[banned], `${where} has ${banned}`).toBeUndefined();
        }
        expect(node.additionalProperties === false, `${where} additionalProperties: false`).toBe(false);
        expect(node.properties !== undefined && node.additionalProperties !== undefined, `${where} properties with additionalProperties`).toBe(false);
        if (node.type === 'array') expect(node.items, `${where} array without items`).toBeTruthy();
        for (const branch of (node.anyOf as Node[] | undefined) ?? []) {
          expect(branch.type ?? branch.properties ?? branch.description, `${where} anyOf branch carries structure`).toBeUndefined();
        }
      }
    }
  });

  it('lists every built-in route plugin in RoutePolicy.spec.plugins', () => {
    const plugins = specSchemaOf('sluice.dev_routepolicies.yaml').properties as Record<string, Node>;
    const names = Object.keys(plugins.plugins.properties as object);
    expect(names).toEqual(
      allPluginSpecs()
        .filter((s) => s.attachTo.includes('route'))
        .map((s) => s.name)
        .sort(),
    );
  });

  describe('RoutePolicy: the CRD and the model agree', () => {
    const crd = crdVerdict(specSchemaOf('sluice.dev_routepolicies.yaml'));
    const model = (spec: unknown) => validateRoutePolicy(spec).length === 0;
    const good: [string, unknown][] = [
      ...allPluginSpecs()
        .filter((s) => s.attachTo.includes('route'))
        .map((s): [string, unknown] => [`${s.name} example`, routePolicy({ [s.name]: s.example })]),
      [
        'several targets and a priority',
        {
          targetRefs: [
            ingressRef,
            { group: '', kind: 'Service', name: 'api' },
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'https' },
          ],
          plugins: { 'key-auth': {} },
          priority: 10,
        },
      ],
      ['no plugins at all', routePolicy({})],
    ];
    const bad: [string, unknown][] = [
      ['unknown plugin', routePolicy({ 'no-such-plugin': {} })],
      ['wrong type in a plugin config', routePolicy({ 'key-auth': { header: 5 } })],
      ['unknown field in a plugin config', routePolicy({ 'key-auth': { headr: 'x' } })],
      ['below a minimum', routePolicy({ 'limit-count': { count: -1, timeWindow: 60 } })],
      ['a required plugin field missing', routePolicy({ 'limit-count': { timeWindow: 60 } })],
      ['no targets', { targetRefs: [], plugins: {} }],
      ['a target kind we cannot attach to', { targetRefs: [{ group: '', kind: 'Pod', name: 'x' }], plugins: {} }],
      ['a target without a name', { targetRefs: [{ group: '', kind: 'Service' }], plugins: {} }],
      ['no plugins field', { targetRefs: [ingressRef] }],
      ['priority out of range', routePolicy({}, { priority: 5000 })],
      ['unknown spec field', routePolicy({}, { targetRef: ingressRef })],
    ];
    for (const [name, spec] of good) it(`accepts: ${name}`, () => expect([crd(spec), model(spec), validateRoutePolicy(spec)]).toEqual([true, true, []]));
    for (const [name, spec] of bad) it(`refuses: ${name}`, () => expect([crd(spec), model(spec)]).toEqual([false, false]));
  });

  describe('Consumer: the CRD and the model agree', () => {
    const crd = crdVerdict(specSchemaOf('sluice.dev_consumers.yaml'));
    const model = (spec: unknown) => validateSchema(ConsumerSpec, spec).length === 0;
    const samples: [string, unknown, boolean][] = [
      ['key-auth from a Secret', { username: 'alice', credentials: { keyAuth: { secretRef: { name: 'alice-key' } } } }, true],
      [
        'all three credentials, labels, a limit',
        {
          username: 'bob',
          credentials: { keyAuth: { secretRef: { name: 'a' } }, basicAuth: { secretRef: { name: 'b' } }, jwtAuth: { secretRef: { name: 'c' } } },
          labels: { team: 'shop' },
          plugins: { 'limit-count': { count: 10, timeWindow: 60 } },
        },
        true,
      ],
      ['no username', { credentials: {} }, false],
      ['a username with a slash', { username: 'a/b' }, false],
      ['an inline key instead of a Secret', { username: 'alice', credentials: { keyAuth: { key: 'plain' } } }, false],
      ['an unknown credential type', { username: 'alice', credentials: { hmacAuth: { secretRef: { name: 'x' } } } }, false],
      ['a secretRef without a name', { username: 'alice', credentials: { keyAuth: { secretRef: {} } } }, false],
    ];
    for (const [name, spec, ok] of samples) it(`${ok ? 'accepts' : 'refuses'}: ${name}`, () => expect([crd(spec), model(spec)]).toEqual([ok, ok]));
  });
});
