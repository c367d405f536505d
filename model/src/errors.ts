/**
 * The one error catalog (STYLE.md principle 16), shared by the admin API, the data plane
 * and the dashboard. A code never changes meaning; messages are templates over params.
 */
export const errorCatalog = {
  GW_ERR_VALIDATION: { status: 400, message: 'invalid {kind}: {detail}' },
  GW_ERR_BAD_REQUEST: { status: 400, message: '{detail}' },
  GW_ERR_ID_MISMATCH: { status: 400, message: 'the id in the body ({bodyId}) differs from the id in the URL ({urlId})' },
  GW_ERR_UNAUTHORIZED: { status: 401, message: 'the X-API-Key header is missing or not valid' },
  GW_ERR_VIEWER_READ_ONLY: { status: 403, message: 'the viewer key may only read (GET); {method} needs the admin key' },
  GW_ERR_ADMIN_ONLY: { status: 403, message: '{what} needs an admin key; key {name} is {role}' },
  GW_ERR_EDITOR_SCOPE: { status: 403, message: 'key {name} may not change {kind} {id}: {reason}' },
  GW_ERR_IMPORT_INVALID: { status: 400, message: 'import refused, nothing was written: {detail}' },
  GW_ERR_READ_ONLY: { status: 405, message: '{kind} documents are written by the system and cannot be changed here' },
  GW_ERR_UNKNOWN_TYPE: { status: 404, message: 'unknown document type {type}' },
  GW_ERR_NOT_FOUND: { status: 404, message: '{kind} {id} not found' },
  GW_ERR_CONFLICT: { status: 409, message: '{kind} {id} changed: If-Match {expected} but it is at {actual}' },
  GW_ERR_ALREADY_EXISTS: { status: 409, message: '{kind} {id} already exists' },
  /** `If-None-Match: *` on a write to an id that exists (or a listed revision matched): nothing was written. */
  GW_ERR_PRECONDITION_FAILED: { status: 412, message: '{kind} {id} already exists (If-None-Match: {given}); nothing was written' },
  /** `?wait=applied` and a data plane refuses what was written: the write stands, it is just not served. */
  GW_ERR_NOT_APPLIED: { status: 422, message: 'stored at revision {revision}, but not applied: {detail}' },
  GW_ERR_MANAGED: {
    status: 409,
    message: '{kind} {id} is managed by {ownerKind} {ownerRef}; change that object instead, or send ?force=true',
  },
  GW_ERR_IN_USE: { status: 409, message: '{kind} {id} is referred to by {refs}' },
  GW_ERR_REFERENCE: { status: 400, message: '{kind} {id} refers to missing {refKind} {refId} at {path}' },
  GW_ERR_INTERNAL: { status: 500, message: 'internal error: {detail}' },
  GW_ERR_ETCD_UNAVAILABLE: { status: 503, message: 'etcd is unavailable: {detail}' },
  GW_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'no route matches this request' },
  GW_ERR_UPSTREAM_UNAVAILABLE: { status: 503, message: 'no healthy upstream node' },
  GW_ERR_UPSTREAM_CONNECT: { status: 502, message: 'upstream connection failed' },
  GW_ERR_UPSTREAM_RESPONSE: { status: 502, message: 'invalid response from upstream' },
  GW_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'upstream timed out' },
  GW_ERR_MISDIRECTED: {
    status: 421,
    message: "the request's host needs another certificate or client-certificate policy than this connection's TLS server name chose",
  },
  GW_ERR_REQUEST_INVALID: { status: 400, message: 'the request is malformed or ambiguous and is not forwarded' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, message: 'the request body is larger than this route allows' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export function formatError(code: ErrorCode, params: Record<string, unknown> = {}): string {
  return errorCatalog[code].message.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** An error from the catalog; `details` carries machine-readable extras (e.g. validation issues). */
export class GatewayError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, unknown> = {},
    readonly details?: unknown,
  ) {
    super(formatError(code, params));
    this.name = 'GatewayError';
    this.status = errorCatalog[code].status;
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}
