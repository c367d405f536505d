import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { RequestHead } from './client-side.js';
import { NodeClient } from './node-client.js';

/** Headers HTTP/2 forbids in a response (RFC 9113 §8.2.2); node:http2 throws on them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * An HTTP/2 request (h2 over TLS, or h2c) as the proxy's `ClientSide`: node:http2's
 * compatibility request/response behind the same adapter as node:http, with the pseudo-headers
 * turned into what an HTTP/1.1 upstream expects (`:authority` → Host) and connection-specific
 * response headers dropped.
 */
export class H2Client extends NodeClient {
  constructor(
    readonly h2Request: Http2ServerRequest,
    readonly h2Response: Http2ServerResponse,
  ) {
    super(h2Request as unknown as IncomingMessage, h2Response as unknown as ServerResponse, h2RequestHead(h2Request));
  }

  override writeHead(status: number, headers: string[]): void {
    const kept: string[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!CONNECTION_SPECIFIC.has(headers[i].toLowerCase())) kept.push(headers[i], headers[i + 1]);
    }
    this.res.writeHead(status, kept);
  }
}

function h2RequestHead(req: Http2ServerRequest): RequestHead {
  const raw: string[] = [];
  const headers: IncomingHttpHeaders = {};
  const authority = req.headers[':authority'];
  if (typeof authority === 'string') {
    raw.push('Host', authority);
    headers.host = authority;
  }
  const source = req.rawHeaders;
  for (let i = 0; i < source.length; i += 2) {
    const name = source[i];
    if (name.charCodeAt(0) === 58 /* : */) continue;
    const lower = name.toLowerCase();
    if (lower === 'host' && headers.host !== undefined) continue;
    raw.push(name, source[i + 1]);
    const prev = headers[lower];
    headers[lower] = prev === undefined ? source[i + 1] : Array.isArray(prev) ? [...prev, source[i + 1]] : `${prev}, ${source[i + 1]}`;
  }
  // HTTP/2 has no chunked encoding: a body is a stream without END_STREAM on its headers. Say
  // "chunked" in the parsed view (never in rawHeaders) so the exchange streams it upstream framed.
  if (!req.stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  return { method: req.method, url: req.url, headers, rawHeaders: raw, socket: req.socket as unknown as Socket };
}
