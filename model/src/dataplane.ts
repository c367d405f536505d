import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';

/** Written by each data-plane primary under an etcd lease: what is live where. */
export const DataplaneStatus = Type.Object(
  {
    ...metaFields,
    host: Type.String(),
    pid: Type.Optional(Type.Integer()),
    workers: Type.Integer({ minimum: 0 }),
    /** Lowest etcd revision applied by every worker. */
    revision: Type.Integer({ minimum: 0 }),
    statusUrl: Type.Optional(Type.String()),
    /** Ports its own listeners hold: a stream route may not take them (tls by SNI on https excepted). */
    listeners: Type.Optional(
      Type.Object({ http: Type.Integer(), https: Type.Optional(Type.Integer()), status: Type.Integer() }, { additionalProperties: false }),
    ),
    /** Documents (or listener ports) some worker rejects, key → reason; at most 50. */
    rejected: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** ready | stale (serving the disk cache while etcd is unreachable) | starting */
    state: Type.Optional(Type.String()),
    startedAt: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'Dataplane' },
);
export type DataplaneStatus = Static<typeof DataplaneStatus>;
