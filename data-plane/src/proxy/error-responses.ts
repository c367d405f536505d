import { errorCatalog, type ErrorCode } from '@sluice/model';
import type { ClientSide } from './front/client-side.js';

/** The error codes the proxy itself answers with. */
export type ProxyErrorCode =
  | 'GW_ERR_ROUTE_NOT_FOUND'
  | 'GW_ERR_UPSTREAM_UNAVAILABLE'
  | 'GW_ERR_UPSTREAM_CONNECT'
  | 'GW_ERR_UPSTREAM_RESPONSE'
  | 'GW_ERR_UPSTREAM_TIMEOUT'
  | 'GW_ERR_MISDIRECTED'
  | 'GW_ERR_REQUEST_INVALID'
  | 'GW_ERR_BODY_TOO_LARGE';

interface PrebuiltError {
  status: number;
  /** Header arrays for `res.writeHead`: keep-alive and `Connection: close` (while draining). */
  headers: string[];
  closingHeaders: string[];
  body: Buffer;
}

function prebuild(code: ErrorCode): PrebuiltError {
  const { status, message } = errorCatalog[code];
  const body = Buffer.from(JSON.stringify({ code, message }));
  const headers = ['Content-Type', 'application/json', 'Content-Length', String(body.length)];
  return { status, headers, closingHeaders: [...headers, 'Connection', 'close'], body };
}

/** Built once at load: answering an error costs no JSON work on the hot path. */
const errorResponses: Record<ProxyErrorCode, PrebuiltError> = {
  GW_ERR_ROUTE_NOT_FOUND: prebuild('GW_ERR_ROUTE_NOT_FOUND'),
  GW_ERR_UPSTREAM_UNAVAILABLE: prebuild('GW_ERR_UPSTREAM_UNAVAILABLE'),
  GW_ERR_UPSTREAM_CONNECT: prebuild('GW_ERR_UPSTREAM_CONNECT'),
  GW_ERR_UPSTREAM_RESPONSE: prebuild('GW_ERR_UPSTREAM_RESPONSE'),
  GW_ERR_UPSTREAM_TIMEOUT: prebuild('GW_ERR_UPSTREAM_TIMEOUT'),
  GW_ERR_MISDIRECTED: prebuild('GW_ERR_MISDIRECTED'),
  GW_ERR_REQUEST_INVALID: prebuild('GW_ERR_REQUEST_INVALID'),
  GW_ERR_BODY_TOO_LARGE: prebuild('GW_ERR_BODY_TOO_LARGE'),
};

/**
 * The gRPC status a call gets for each gateway error (https://grpc.io/docs/guides/status-codes/):
 * a gRPC client reads the status from trailers, not from the HTTP status.
 */
const GRPC_STATUS: Record<ProxyErrorCode, number> = {
  GW_ERR_ROUTE_NOT_FOUND: 12, // UNIMPLEMENTED
  GW_ERR_UPSTREAM_UNAVAILABLE: 14, // UNAVAILABLE
  GW_ERR_UPSTREAM_CONNECT: 14,
  GW_ERR_UPSTREAM_RESPONSE: 13, // INTERNAL
  GW_ERR_UPSTREAM_TIMEOUT: 4, // DEADLINE_EXCEEDED
  GW_ERR_MISDIRECTED: 14,
  GW_ERR_REQUEST_INVALID: 13,
  GW_ERR_BODY_TOO_LARGE: 8, // RESOURCE_EXHAUSTED
};
const GRPC_HEADERS = ['content-type', 'application/grpc'];

/** A raw 400 for a client whose request could not be parsed or may not be upgraded. */
export const rawBadRequest = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');

/**
 * Writes a prebuilt error; `closing` asks the client to drop the connection (drain). A gRPC
 * call gets HTTP 200 and the matching grpc-status in trailers, as gRPC servers answer.
 */
export function sendError(res: ClientSide, code: ProxyErrorCode, closing: boolean): number {
  const e = errorResponses[code];
  if (res.grpc) {
    res.writeHead(200, GRPC_HEADERS);
    res.addTrailers({ 'grpc-status': String(GRPC_STATUS[code]), 'grpc-message': encodeURIComponent(errorCatalog[code].message) });
    res.end();
    return e.status;
  }
  res.writeHead(e.status, closing ? e.closingHeaders : e.headers);
  res.end(e.body);
  return e.status;
}
