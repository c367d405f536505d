import { errorCatalog, type ErrorCode } from '@sluice/model';
import type { ClientSide } from './front/client-side.js';

/** The error codes the proxy itself answers with. */
export type ProxyErrorCode =
  | 'GW_ERR_ROUTE_NOT_FOUND'
  | 'GW_ERR_UPSTREAM_UNAVAILABLE'
  | 'GW_ERR_UPSTREAM_CONNECT'
  | 'GW_ERR_UPSTREAM_RESPONSE'
  | 'GW_ERR_UPSTREAM_TIMEOUT'
  | 'GW_ERR_MISDIRECTED';

interface PrebuiltError {
  status: number;
  /** Header arrays for `res.writeHead`: keep-alive and `Connection: close` (while draining). */
  headers: string[];
  closingHeaders: string[];
  body: Buffer;
  /** A whole HTTP/1.1 response for a raw socket (the upgrade path), ending the connection. */
  raw: Buffer;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 421: 'Misdirected Request', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function prebuild(code: ErrorCode): PrebuiltError {
  const { status, message } = errorCatalog[code];
  const body = Buffer.from(JSON.stringify({ code, message }));
  const headers = ['Content-Type', 'application/json', 'Content-Length', String(body.length)];
  const rawHead = `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return { status, headers, closingHeaders: [...headers, 'Connection', 'close'], body, raw: Buffer.concat([Buffer.from(rawHead, 'latin1'), body]) };
}

/** Built once at load: answering an error costs no JSON work on the hot path. */
export const errorResponses: Record<ProxyErrorCode, PrebuiltError> = {
  GW_ERR_ROUTE_NOT_FOUND: prebuild('GW_ERR_ROUTE_NOT_FOUND'),
  GW_ERR_UPSTREAM_UNAVAILABLE: prebuild('GW_ERR_UPSTREAM_UNAVAILABLE'),
  GW_ERR_UPSTREAM_CONNECT: prebuild('GW_ERR_UPSTREAM_CONNECT'),
  GW_ERR_UPSTREAM_RESPONSE: prebuild('GW_ERR_UPSTREAM_RESPONSE'),
  GW_ERR_UPSTREAM_TIMEOUT: prebuild('GW_ERR_UPSTREAM_TIMEOUT'),
  GW_ERR_MISDIRECTED: prebuild('GW_ERR_MISDIRECTED'),
};

/** A raw 400 for a client whose request could not be parsed or may not be upgraded. */
export const rawBadRequest = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');

/** Writes a prebuilt error; `closing` asks the client to drop the connection (drain). */
export function sendError(res: ClientSide, code: ProxyErrorCode, closing: boolean): number {
  const e = errorResponses[code];
  res.writeHead(e.status, closing ? e.closingHeaders : e.headers);
  res.end(e.body);
  return e.status;
}
