import { stringify } from 'yaml';
import { consumerSpecSchema, routePolicySpecSchema, SLUICE_GROUP, SLUICE_VERSION } from './crd-schemas.js';
import { toStructuralSchema, type SchemaNode } from './to-structural-schema.js';

/** One file of `crds/`: its name and the object (or kustomization) it holds. */
export interface CrdFile {
  file: string;
  object: Record<string, unknown>;
}

const condition: SchemaNode = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message'],
  properties: {
    type: { type: 'string', enum: ['Accepted', 'Conflicted', 'ResolvedRefs'] },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 32768 },
    observedGeneration: { type: 'integer', minimum: 0 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
  },
};

const status: SchemaNode = {
  type: 'object',
  description: 'written by the control plane',
  properties: {
    conditions: {
      type: 'array',
      maxItems: 8,
      items: condition,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  },
};

const conditionColumn = (type: string) => ({ name: type, type: 'string', jsonPath: `.status.conditions[?(@.type=="${type}")].status` });
const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function crd(kind: string, plural: string, shortNames: string[], description: string, spec: SchemaNode, columns: object[]): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${SLUICE_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'sluice' } },
    spec: {
      group: SLUICE_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: ['sluice'] },
      scope: 'Namespaced',
      versions: [
        {
          name: SLUICE_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { ...spec, description: `${kind} spec (generated from the model package: npm run crds)` },
                status,
              },
            },
          },
        },
      ],
    },
  };
}

/**
 * The files of `crds/`, generated from the model's schemas (the plugin specs and the consumer),
 * so the CRDs, the admin API and the dashboard accept the same configs. `scripts/gen-crds.mjs`
 * writes them; a test regenerates them in memory and compares.
 */
export function crdManifests(): CrdFile[] {
  const routePolicy = crd(
    'RoutePolicy',
    'routepolicies',
    ['rpol'],
    'Plugins attached to Ingresses, Services, Gateways or HTTPRoutes (Gateway API policy attachment).',
    toStructuralSchema(routePolicySpecSchema() as unknown as SchemaNode),
    [{ name: 'Targets', type: 'string', jsonPath: '.spec.targetRefs[*].name' }, conditionColumn('Accepted'), conditionColumn('Conflicted'), age],
  );
  const consumer = crd(
    'Consumer',
    'consumers',
    ['scon'],
    'An API client: its username, credentials read from Secrets, and its own plugins.',
    toStructuralSchema(consumerSpecSchema() as unknown as SchemaNode),
    [{ name: 'Username', type: 'string', jsonPath: '.spec.username' }, conditionColumn('Accepted'), conditionColumn('ResolvedRefs'), age],
  );
  return [
    { file: `${SLUICE_GROUP}_routepolicies.yaml`, object: routePolicy },
    { file: `${SLUICE_GROUP}_consumers.yaml`, object: consumer },
    {
      file: 'kustomization.yaml',
      object: {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [`${SLUICE_GROUP}_routepolicies.yaml`, `${SLUICE_GROUP}_consumers.yaml`],
      },
    },
  ];
}

/** The text of one generated file, as committed under `crds/`. */
export function renderCrdFile(file: CrdFile): string {
  return `# Generated from the model package by scripts/gen-crds.mjs (npm run crds); do not edit.\n${stringify(file.object, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
