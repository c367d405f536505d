import { Type, type Static } from '@sinclair/typebox';

/** Identifiers are safe in an etcd key, a URL path and a Kubernetes label value. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$', description: 'document id' });

export const OwnerKinds = [
  'admin',
  'Ingress',
  'Gateway',
  'ListenerSet',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'Service',
  'Secret',
  'Consumer',
  'ConfigMap',
] as const;

/**
 * Who may change a document. `admin` documents belong to the admin API and the
 * dashboard; any Kubernetes kind means the control plane derived it and owns it,
 * so the admin API refuses to edit it unless forced (STYLE.md principle 7).
 */
export const Owner = Type.Object(
  {
    kind: Type.Union(OwnerKinds.map((k) => Type.Literal(k))),
    namespace: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Owner = Static<typeof Owner>;

/** Fields every document carries. createdAt/updatedAt are set by the writer (ISO 8601). */
export const metaFields = {
  id: Id,
  name: Type.Optional(Type.String({ maxLength: 256 })),
  desc: Type.Optional(Type.String({ maxLength: 1024 })),
  labels: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 256 }))),
  owner: Type.Optional(Owner),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
};

export const Meta = Type.Object(metaFields);
export type Meta = Static<typeof Meta>;

export { isManaged } from './is-managed.js';
