import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { NodeClient, type NodeRequestHead } from './node-client.js';

/** Headers HTTP/2 forbids in a response (RFC 9113 §8.2.2); node:http2 throws on them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
/** The fields of a gRPC status. */
const GRPC_STATUS_FIELDS = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin']);

/**
 * An HTTP/2 request (h2 over TLS, or h2c) as the proxy's `ClientSide`: node:http2's
 * compatibility request/response behind the same adapter as node:http, with the pseudo-headers
 * turned into what the pipeline reads (`:authority` → Host) and connection-specific response
 * headers dropped. A `host` header that names another authority than `:authority` is kept
 * beside it, so the pipeline refuses the request (RFC 9113 §8.3.1).
 */
export class H2Client extends NodeClient {
  override readonly http2 = true;

  constructor(
    readonly h2Request: Http2ServerRequest,
    readonly h2Response: Http2ServerResponse,
  ) {
    super(h2Request as unknown as IncomingMessage, h2Response as unknown as ServerResponse, h2RequestHead(h2Request));
  }

  /** A gRPC call: the gateway's own errors go out as grpc-status trailers. */
  override get grpc(): boolean {
    const type = this.headers['content-type'];
    return type !== undefined && type.startsWith('application/grpc');
  }

  override writeHead(status: number, headers: string[]): void {
    const kept: string[] = [];
    let trailers: Record<string, string> | undefined;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i].toLowerCase();
      if (CONNECTION_SPECIFIC.has(name)) continue;
      if (GRPC_STATUS_FIELDS.has(name)) {
        // A trailers-only gRPC answer (status in the headers): the status goes out as trailers
        // after the head, which every gRPC client reads the same way.
        (trailers ??= {})[name] = headers[i + 1];
        continue;
      }
      kept.push(headers[i], headers[i + 1]);
    }
    if (trailers !== undefined) this.res.addTrailers(trailers);
    this.res.writeHead(status, kept);
  }

  override addTrailers(trailers: Record<string, string>): void {
    this.res.addTrailers(trailers);
  }
}

function h2RequestHead(req: Http2ServerRequest): NodeRequestHead {
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
    const value = source[i + 1];
    if (lower === 'host' && headers.host !== undefined) {
      // The same authority twice is harmless; another one is a request for two hosts.
      if (value.toLowerCase() !== headers.host.toLowerCase()) raw.push(name, value);
      continue;
    }
    raw.push(name, value);
    const prev = headers[lower];
    headers[lower] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : `${prev}, ${value}`;
  }
  // HTTP/2 has no chunked encoding: a body is a stream without END_STREAM on its headers. Say
  // "chunked" in the parsed view (never in rawHeaders) so the exchange streams it upstream framed.
  if (!req.stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  return { method: req.method, url: req.url, headers, rawHeaders: raw, socket: req.socket as unknown as Socket };
}
