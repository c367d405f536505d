/**
 * The admin endpoints' reply types as the dashboard names them: the shapes come from
 * `@sluice/model` (admin-api.ts); only what the dashboard derives is declared here.
 */
import type { ChangeEvent, DataplaneEvent, DataplaneView } from '@sluice/model/browser';

export type {
  AdminIdentity as WhoAmI,
  AdminRole as Role,
  AdminKeyInfo,
  AdminKeyCreate,
  AdminKeyCreated as CreatedAdminKey,
  AuditEntry,
  AuditPage,
  ImportPlan,
  AppliedState,
  RouteMetricsReply as RouteMetrics,
  UpstreamHealthReply as UpstreamHealth,
  SslInfo,
} from '@sluice/model/browser';

/** A data plane as the overview shows it, with the documents it does not serve (rejected, pending). */
export type DataplaneInfo = DataplaneView;
export interface DataplaneList {
  items: DataplaneInfo[];
  revision: number;
  /** The newest document change: a data plane whose appliedRevision is below it is behind. */
  documentRevision?: number;
}

/** One message of `GET /events`, tagged with its SSE event name. */
export type GatewayEvent = ({ type: 'change' } & ChangeEvent) | ({ type: 'dataplane' } & DataplaneEvent);

/** `GET /audit` filters. */
export interface AuditQuery {
  collection?: string;
  id?: string;
  key?: string;
  limit?: number;
  before?: string;
}
