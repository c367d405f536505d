import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { allPluginSpecs, Consumer, PluginMap, type PluginAttachment } from '@sluice/model';

/** The API group and version of our own CustomResourceDefinitions. */
export const SLUICE_GROUP = 'sluice.dev';
export const SLUICE_VERSION = 'v1alpha1';
export const SLUICE_API_VERSION = `${SLUICE_GROUP}/${SLUICE_VERSION}`;

/** The kinds a RoutePolicy may attach to (Gateway API policy attachment, GEP-713). */
export const POLICY_TARGET_KINDS = ['Gateway', 'HTTPRoute', 'Ingress', 'Service'] as const;

/** A Gateway API `LocalPolicyTargetReference` plus `sectionName`: the target lives in the policy's namespace. */
export const PolicyTargetRef = Type.Object(
  {
    group: Type.String({
      maxLength: 253,
      description: 'API group of the target: "" (core) for Service, networking.k8s.io for Ingress, gateway.networking.k8s.io for Gateway and HTTPRoute',
    }),
    kind: Type.Union(
      POLICY_TARGET_KINDS.map((k) => Type.Literal(k)),
      { description: 'kind of the target' },
    ),
    name: Type.String({ minLength: 1, maxLength: 253, description: 'name of the target, in the policy namespace' }),
    sectionName: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'a listener of a Gateway or a rule name of an HTTPRoute' })),
  },
  { additionalProperties: false },
);
export type PolicyTargetRef = Static<typeof PolicyTargetRef>;

/**
 * `{<plugin name>: <config>}` with every known plugin's own config schema as a property, so the
 * CRD validates each plugin in the API server as the admin API does (built-ins only: a custom
 * plugin from --plugins-dir is unknown to a CRD installed ahead of time).
 */
export function pluginPropertiesSchema(attachment: PluginAttachment, description: string): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const spec of allPluginSpecs().sort((a, b) => a.name.localeCompare(b.name))) {
    if (!spec.attachTo.includes(attachment)) continue;
    // On a consumer an auth plugin's config is the credential, which comes from a Secret (spec.credentials).
    if (attachment === 'consumer' && spec.type === 'auth') continue;
    properties[spec.name] = Type.Optional(spec.schema);
  }
  return Type.Object(properties, { additionalProperties: false, description });
}

/** RoutePolicy.spec as the CRD declares it (per-plugin schemas). */
export function routePolicySpecSchema(): TSchema {
  return Type.Object(
    {
      targetRefs: Type.Array(PolicyTargetRef, { minItems: 1, maxItems: 16, description: 'what the plugins attach to' }),
      plugins: pluginPropertiesSchema('route', "plugin name → config, validated by that plugin's schema"),
      priority: Type.Optional(
        Type.Integer({
          minimum: -1000,
          maximum: 1000,
          description: 'between policies setting the same plugin on the same target, the higher wins; on a tie the older wins and the newer is Conflicted',
        }),
      ),
    },
    { additionalProperties: false },
  );
}

/** RoutePolicy.spec as the translator reads it: plugins are checked one by one with `pluginIssues` (same schemas, better messages). */
export const RoutePolicySpec = Type.Object(
  {
    targetRefs: Type.Array(PolicyTargetRef, { minItems: 1, maxItems: 16 }),
    plugins: PluginMap,
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type RoutePolicySpec = Static<typeof RoutePolicySpec>;

/** A reference to a Secret in the Consumer's namespace. */
export const SecretRef = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253, description: 'Secret name, in the Consumer namespace' }) },
  { additionalProperties: false },
);

const credential = (description: string) => Type.Optional(Type.Object({ secretRef: SecretRef }, { additionalProperties: false, description }));

/** Consumer.spec: who the client is, where its credentials are, and its own (non-auth) plugins. */
export function consumerSpecSchema(): TSchema {
  return Type.Object(
    {
      username: Consumer.properties.username,
      credentials: Type.Optional(
        Type.Object(
          {
            keyAuth: credential('key-auth: the Secret holds `key`'),
            basicAuth: credential('basic-auth: the Secret holds `username` and `password`, or `auth` with an htpasswd line user:hash'),
            jwtAuth: credential('jwt-auth: the Secret holds `key` and `secret` (HS*) or `publicKey` and `algorithm` (RS*/ES*)'),
          },
          { additionalProperties: false },
        ),
      ),
      plugins: Type.Optional(pluginPropertiesSchema('consumer', 'plugins that run for this consumer once authenticated (limit-count, ...)')),
      labels: Consumer.properties.labels,
    },
    { additionalProperties: false },
  );
}
export const ConsumerSpec = Type.Object(
  {
    username: Consumer.properties.username,
    credentials: Type.Optional(
      Type.Object(
        {
          keyAuth: credential('key-auth'),
          basicAuth: credential('basic-auth'),
          jwtAuth: credential('jwt-auth'),
        },
        { additionalProperties: false },
      ),
    ),
    plugins: Type.Optional(PluginMap),
    labels: Consumer.properties.labels,
  },
  { additionalProperties: false },
);
export type ConsumerSpec = Static<typeof ConsumerSpec>;

/** A Kubernetes condition as our CRs carry it (metav1.Condition). */
export interface Condition {
  type: 'Accepted' | 'Conflicted' | 'ResolvedRefs';
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

interface CustomResource<S> {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; creationTimestamp?: string | Date; resourceVersion?: string };
  spec?: S;
  status?: { conditions?: Condition[] };
}
export type RoutePolicy = CustomResource<RoutePolicySpec>;
export type ConsumerResource = CustomResource<ConsumerSpec>;
