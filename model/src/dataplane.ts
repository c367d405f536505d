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
    /**
     * Documents some worker does not serve in the version it has seen, `<collection>/<id>` →
     * reason (invalid, refers to something missing, its port cannot be bound...). A reason
     * may say that the previous version stays in force. At most MAX_REPORTED_DOCUMENTS.
     */
    rejected: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** Rejections left out of `rejected` past its bound (documents not listed are then unknown). */
    rejectedOmitted: Type.Optional(Type.Integer({ minimum: 0 })),
    /**
     * Documents whose current version some worker has compiled but does not serve yet (a
     * listener or stream port still binding), `<collection>/<id>`. At most MAX_REPORTED_DOCUMENTS.
     */
    pending: Type.Optional(Type.Array(Type.String())),
    /** ready | stale (serving the disk cache while etcd is unreachable) | starting */
    state: Type.Optional(Type.String()),
    startedAt: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'Dataplane' },
);
export type DataplaneStatus = Static<typeof DataplaneStatus>;

/** How many rejected (or pending) documents a registration lists: it is rewritten on every change, so it stays small. */
export const MAX_REPORTED_DOCUMENTS = 1000;
