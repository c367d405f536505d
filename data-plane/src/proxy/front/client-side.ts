import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientLimits } from '../../compile/client-traffic.js';

/**
 * A client request head as the request pipeline sees it, whatever carried it (HTTP/1.1 on the
 * raw front or node:http, HTTP/2). The front fills what it parsed; the pipeline's
 * normalization then sets `path`, `query` and `host`, which everything after it reads: the
 * matcher, the plugins and the upstream request head. `url` stays as received, for logs.
 */
export interface RequestHead {
  readonly method: string;
  /** The request-target as received. */
  readonly url: string;
  /** Lower-case names, duplicates joined as node:http joins them. The pipeline may drop entries (underscores). */
  headers: IncomingHttpHeaders;
  /** `[name, value, ...]` as received (HTTP/2: without pseudo-headers, `:authority` as Host). */
  rawHeaders: string[];
  /** For the client address, the local port and whether TLS is in use. */
  readonly socket: Socket;
  /** The normalized path (no query) that is matched and forwarded. */
  path: string;
  /** The raw query string, without `?` ('' when none). */
  query: string;
  /** The request's host: Host (or `:authority`, or an absolute-form target's authority). */
  host: string | undefined;
  /** Carried by HTTP/2 (h2 or h2c). */
  readonly http2: boolean;
  /** A gRPC call (HTTP/2, `content-type: application/grpc…`): the gateway's own errors become grpc-status trailers. */
  readonly grpc: boolean;
  /** HTTP/1.1 request line version 1.1 or later (1.0 clients get close-delimited bodies). */
  readonly http11: boolean;
  /** The `Upgrade` value of a request that asks to switch protocols; undefined for every other request. */
  readonly upgrade: string | undefined;
}

/** Who hears about one request's body and response progress: the proxy exchange. */
export interface ClientSink {
  onRequestBody(chunk: Buffer): void;
  onRequestEnd(): void;
  /** The body passed the limit set with `limitBody`: no byte past it was delivered, none will be. */
  onRequestBodyTooLarge(): void;
  /** The client can take more response bytes after `write` returned false. */
  onClientDrain(): void;
  /** Once: the response finished, or the client went away before it did. */
  onClientClosed(): void;
}

/** What an upgrade request leaves behind once the upstream switched protocols. */
export interface TakenOverSocket {
  socket: Socket;
  /** Bytes the client sent after its request head, not yet relayed. */
  pending: Buffer;
}

/**
 * The client side of one exchange, whatever front serves it (the raw front, node:http or
 * HTTP/2). The exchange drives it with direct calls and hears back through its `ClientSink`.
 */
export interface ClientSide extends RequestHead {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  /** The whole response was handed to the socket. */
  readonly writableFinished: boolean;
  readonly statusCode: number;
  /** Set once by the exchange before anything else. */
  attach(sink: ClientSink): void;
  /**
   * Starts delivering the request body (buffered until now) to the sink. An `Expect:
   * 100-continue` is answered here, so only once the access phases let the request through.
   */
  readBody(): void;
  pauseBody(): void;
  /** Un-pauses the body; with no reader, the rest of the body is discarded. */
  resumeBody(): void;
  /** Bodies longer than `maxBytes` are cut: the sink hears `onRequestBodyTooLarge` instead of the byte past it. */
  limitBody(maxBytes: number): void;
  /** `headers` is flat `[name, value, ...]`; a `Connection: close` pair closes the connection after the response. */
  writeHead(status: number, headers: string[]): void;
  /** false: wait for `sink.onClientDrain()`. */
  write(chunk: Buffer): boolean;
  /** Trailer fields sent after the body (HTTP/2: gRPC statuses); HTTP/1.1 fronts drop them. */
  addTrailers(trailers: Record<string, string>): void;
  end(body?: Buffer): void;
  /** Cuts the client connection (the response cannot be completed honestly). */
  destroy(): void;
  /**
   * Upgrade requests only, after the upstream answered 101 and that head went to the client:
   * the socket leaves HTTP and belongs to the caller (the tunnel).
   */
  takeOver(): TakenOverSocket | undefined;
}

/** What a front needs of the proxy behind it. */
export interface FrontHandler {
  readonly draining: boolean;
  /** The client-traffic settings in force: a front reads them per connection and per request. */
  readonly clientLimits: ClientLimits;
  handleRequest(client: ClientSide): void;
  /** A client that opened with the HTTP/2 preface (h2c prior knowledge); `firstBytes` were already read. */
  handleH2c?(socket: Socket, firstBytes: Buffer): void;
}
