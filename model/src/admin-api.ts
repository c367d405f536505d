import { Type, type Static } from '@sinclair/typebox';
import { Id } from './meta.js';

/**
 * Shapes of the admin API's own endpoints (keys, audit, import, live state), shared by the
 * control plane and the dashboard. Documents keep their own schemas in the kind registry.
 */

/** admin: everything; editor: documents of its kinds and labels; viewer: reads only. */
export const AdminRole = Type.Union([Type.Literal('admin'), Type.Literal('editor'), Type.Literal('viewer')]);
export type AdminRole = Static<typeof AdminRole>;

/** What an editor key may touch: documents of these collections whose labels match all of these. */
const keyScope = {
  /** Collections (e.g. `routes`), editors only; absent = every collection. */
  kinds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 })),
  /** Label selector, editors only: a document must carry every one of these labels. */
  labels: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 256 }))),
};

/** `POST /admin-keys` body. */
export const AdminKeyCreate = Type.Object({ name: Id, role: AdminRole, ...keyScope }, { additionalProperties: false, title: 'AdminKeyCreate' });
export type AdminKeyCreate = Static<typeof AdminKeyCreate>;

/** A key as listed: never its hash. */
export const AdminKeyInfo = Type.Object({ name: Type.String(), role: AdminRole, ...keyScope, created: Type.String() });
export type AdminKeyInfo = Static<typeof AdminKeyInfo>;

/** The reply to `POST /admin-keys`: the plaintext key, shown this once. */
export type AdminKeyCreated = AdminKeyInfo & { key: string };

/** `GET /whoami`. */
export interface AdminIdentity {
  name: string;
  role: AdminRole;
  kinds?: string[];
  labels?: Record<string, string>;
}

export const auditActions = ['create', 'update', 'delete', 'rollback', 'import', 'key-create', 'key-delete'] as const;
export type AuditAction = (typeof auditActions)[number];

/** One admin write. `before`/`after` never hold ssl private keys or key hashes. */
export interface AuditEntry {
  at: string;
  /** Name of the admin key that wrote. */
  key: string;
  role: AdminRole;
  action: AuditAction;
  collection: string;
  id: string;
  revision: number;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** `GET /audit`: newest first; `next` is the `before` cursor of the following page. */
export interface AuditPage {
  items: AuditEntry[];
  next?: string;
}

/** One document in an export file (one YAML document each) or an import body. */
export interface ImportItem {
  collection: string;
  id: string;
  document: Record<string, unknown>;
}

export interface ImportRef {
  collection: string;
  id: string;
}

export interface ImportError {
  collection: string;
  id: string;
  /** JSON pointer into the document ('' for the item itself). */
  path: string;
  message: string;
}

/** The reply to `POST /import` and `POST /import/openapi` (dry run or not). */
export interface ImportPlan {
  /** `after`: the document as it would be stored (secrets left out), for previews and diffs. */
  create: (ImportRef & { after: Record<string, unknown> })[];
  update: (ImportRef & { before: Record<string, unknown>; after: Record<string, unknown> })[];
  unchanged: ImportRef[];
  errors: ImportError[];
  /** The etcd revision of the transaction, when applied. */
  revision?: number;
}

/** A live data plane as `GET /dataplanes` lists it: the stored registration plus the contract's names. */
export interface DataplaneView {
  id: string;
  host: string;
  workers: number;
  /** When the data plane started (ISO). */
  started?: string;
  /** Lowest etcd revision every worker applied. */
  appliedRevision: number;
  statusUrl?: string;
  /** ready | stale | starting */
  status?: string;
  /** `<collection>/<id>` → why it is not served (see DataplaneStatus.rejected). */
  rejected?: Record<string, string>;
  rejectedOmitted?: number;
  /** Documents taken in but not served yet. */
  pending?: string[];
  [field: string]: unknown;
}

/** Whether a data plane serves a document's version: it does, it refuses it (with a reason), or not yet. */
export type DocumentApplyState = 'applied' | 'rejected' | 'pending';

/** `GET /<collection>/<id>/applied` (and one row of a list's `applied`). */
export interface AppliedState {
  id: string;
  modRevision: number;
  /** True only when every live data plane serves this version. */
  applied: boolean;
  state: DocumentApplyState;
  /** Why it is not applied: the first rejecting data plane and its reason, or what is awaited. */
  reason?: string;
  dataplanes: { id: string; appliedRevision: number; applied: boolean; state: DocumentApplyState; reason?: string }[];
}

/** Events of `GET /events` (server-sent, `event: change` and `event: dataplane`). */
export interface ChangeEvent {
  collection: string;
  id: string;
  action: 'put' | 'delete';
  revision: number;
}
export interface DataplaneEvent {
  id: string;
  appliedRevision: number;
  action: 'register' | 'update' | 'leave';
  /** What the data plane does not serve (or not yet), so a client can update per-document states without a read. */
  rejected?: Record<string, string>;
  pending?: string[];
}

/** `GET /metrics/routes`. */
export interface RouteMetricsReply {
  items: { routeId: string; requests: number; errors4xx: number; errors5xx: number; ratePerSec: number }[];
  at: string;
  unreachable?: string[];
}

/** `GET /upstreams/<id>/health`. `healthy` is null when no data plane reports the node. */
export interface UpstreamHealthReply {
  nodes: { host: string; port: number; healthy: boolean | null; dataplanes: Record<string, boolean> }[];
  unreachable?: string[];
}

/** `GET /ssls/<id>/info`. */
export interface SslInfo {
  snis: string[];
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
}
