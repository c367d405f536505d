import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/** What the proxy reads of a client request head (node:http's IncomingMessage fits it too). */
export interface RequestHead {
  readonly method: string;
  readonly url: string;
  /** Lower-case names, duplicates joined as node:http joins them. */
  readonly headers: IncomingHttpHeaders;
  /** `[name, value, ...]` exactly as received. */
  readonly rawHeaders: string[];
  /** For the client address, the local port and whether TLS is in use. */
  readonly socket: Socket;
}

/** Who hears about one request's body and response progress: the proxy exchange. */
export interface ClientSink {
  onRequestBody(chunk: Buffer): void;
  onRequestEnd(): void;
  /** The client can take more response bytes after `write` returned false. */
  onClientDrain(): void;
  /** Once: the response finished, or the client went away before it did. */
  onClientClosed(): void;
}

/**
 * The client side of one exchange, whatever front serves it (the raw front or node:http).
 * The exchange drives it with direct calls and hears back through its `ClientSink`.
 */
export interface ClientSide extends RequestHead {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  /** The whole response was handed to the socket. */
  readonly writableFinished: boolean;
  readonly statusCode: number;
  /** Set once by the exchange before anything else. */
  attach(sink: ClientSink): void;
  /** Starts delivering the request body (buffered until now) to the sink. */
  readBody(): void;
  pauseBody(): void;
  /** Un-pauses the body; with no reader, the rest of the body is discarded. */
  resumeBody(): void;
  /** `headers` is flat `[name, value, ...]`; a `Connection: close` pair closes the connection after the response. */
  writeHead(status: number, headers: string[]): void;
  /** false: wait for `sink.onClientDrain()`. */
  write(chunk: Buffer): boolean;
  end(body?: Buffer): void;
  /** Cuts the client connection (the response cannot be completed honestly). */
  destroy(): void;
}

/** What a front needs of the proxy behind it. */
export interface FrontHandler {
  readonly draining: boolean;
  handleRequest(client: ClientSide): void;
  /** An upgrade head; `socket` now belongs to the handler, `bodyHead` holds the bytes after the head. */
  handleUpgrade(head: RequestHead, socket: Socket, bodyHead: Buffer): void;
  /** A client that opened with the HTTP/2 preface (h2c prior knowledge); `firstBytes` were already read. */
  handleH2c?(socket: Socket, firstBytes: Buffer): void;
}
