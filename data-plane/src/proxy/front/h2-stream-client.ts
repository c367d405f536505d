import type { IncomingHttpHeaders } from 'node:http';
import { constants as h2, type IncomingHttpHeaders as H2Headers, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { ClientSide, ClientSink, TakenOverSocket } from './client-side.js';
import { BodyChunk, BodyMeter } from './body-meter.js';

/** Headers HTTP/2 forbids in a response (RFC 9113 §8.2.2); node:http2 throws on them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
/** The fields of a gRPC status. */
const GRPC_STATUS_FIELDS = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin']);

type StreamWithClient = ServerHttp2Stream & { sluiceClient?: H2StreamClient };

/**
 * An HTTP/2 request (h2 over TLS, or h2c) as the proxy's `ClientSide`, straight on node:http2's
 * stream API: no compatibility request/response objects per request (they cost more than the
 * proxying itself). The pseudo-headers become what the pipeline reads (`:authority` → Host;
 * a `host` header naming another authority is kept beside it, so the pipeline refuses the
 * request, RFC 9113 §8.3.1), connection-specific response headers are dropped, and the
 * response head goes out as a flat header list.
 *
 * Trailers go to clients that said they take them (`TE: trailers`, RFC 9110 §10.1.4: every
 * gRPC client does) and to gRPC calls; the response then ends with a trailer block (empty when
 * there are none). Other clients get none, as on HTTP/1.1.
 */
export class H2StreamClient implements ClientSide {
  readonly method: string;
  readonly url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  readonly socket: Socket;
  path: string;
  query = '';
  host: string | undefined;
  readonly http2 = true;
  readonly http11 = true;
  readonly upgrade: string | undefined = undefined;
  /** A gRPC call: the gateway's own errors go out as grpc-status trailers. */
  readonly grpc: boolean;
  statusCode = 200;
  headersSent = false;
  private sink: ClientSink | undefined = undefined;
  private readonly body = new BodyMeter();
  private reading = false;
  /** `Expect: 100-continue` not answered yet: answered when the body is first read. */
  private awaitingContinue: boolean;
  private readonly takesTrailers: boolean;
  private trailers: Record<string, string> | undefined = undefined;
  private awaitingDrain = false;
  private closeReported = false;

  constructor(
    readonly stream: ServerHttp2Stream,
    pseudo: H2Headers,
    rawHeaders: string[],
  ) {
    const raw: string[] = [];
    const headers: IncomingHttpHeaders = { __proto__: null } as unknown as IncomingHttpHeaders;
    const authority = pseudo[':authority'];
    if (typeof authority === 'string') {
      raw.push('Host', authority);
      headers.host = authority;
    }
    let cookieAt = -1;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i];
      if (name.charCodeAt(0) === 58 /* : */) continue;
      const value = rawHeaders[i + 1];
      // HTTP/2 header names arrive in lower case (RFC 9113 §8.2.1; nghttp2 refuses others).
      if (name === 'host' && headers.host !== undefined) {
        // The same authority twice is harmless; another one is a request for two hosts.
        if (value.toLowerCase() !== headers.host.toLowerCase()) raw.push(name, value);
        continue;
      }
      if (name === 'cookie') {
        // Cookie crumbs (RFC 9113 §8.2.3) are one field again before they go to HTTP/1.1.
        if (cookieAt < 0) {
          cookieAt = raw.length + 1;
          raw.push(name, value);
        } else raw[cookieAt] += `; ${value}`;
        headers.cookie = raw[cookieAt];
        continue;
      }
      raw.push(name, value);
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : `${prev}, ${value}`;
    }
    // HTTP/2 has no chunked encoding: a body is a stream without END_STREAM on its headers. Say
    // "chunked" in the parsed view (never in rawHeaders) so the exchange streams it upstream framed.
    if (!stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
    const method = pseudo[':method'];
    const path = pseudo[':path'];
    this.method = typeof method === 'string' ? method : 'GET';
    this.url = typeof path === 'string' ? path : '';
    this.path = this.url;
    this.headers = headers;
    this.rawHeaders = raw;
    this.host = headers.host;
    this.socket = stream.session!.socket as Socket;
    const type = headers['content-type'];
    this.grpc = type !== undefined && type.startsWith('application/grpc');
    const te = headers.te;
    this.takesTrailers = this.grpc || (typeof te === 'string' && te.toLowerCase().includes('trailers'));
    this.awaitingContinue = headers.expect !== undefined && headers.expect.toLowerCase() === '100-continue' && !stream.endAfterHeaders;
    (stream as StreamWithClient).sluiceClient = this;
    stream.on('error', ignoreError);
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }
  get writableFinished(): boolean {
    return this.stream.writableFinished;
  }

  attach(sink: ClientSink): void {
    this.sink = sink;
    const stream = this.stream;
    stream.on('close', onStreamClose);
    stream.on('drain', onStreamDrain);
  }

  readBody(): void {
    if (this.reading) return;
    this.reading = true;
    if (this.awaitingContinue) {
      // The access phases let the request through: now the client may send its body (RFC 9110 §10.1.1).
      this.awaitingContinue = false;
      if (!this.headersSent && !this.stream.destroyed) this.stream.additionalHeaders({ ':status': 100 });
    }
    this.stream.on('data', onStreamData);
    this.stream.on('end', onStreamEnd);
  }

  pauseBody(): void {
    this.stream.pause();
  }

  /** With no reader, the rest of the body flows away unread. */
  resumeBody(): void {
    const stream = this.stream;
    // A request side that already ended is left alone: resuming it emits 'end', and node:http2
    // then closes the stream with the response's last write still in flight, which costs an
    // error object (and its stack trace) per response.
    if (stream.endAfterHeaders || stream.readableEnded) return;
    stream.resume();
  }

  limitBody(maxBytes: number): void {
    this.body.setLimit(maxBytes);
  }

  onData(chunk: Buffer): void {
    const verdict = this.body.count(chunk.length);
    if (verdict === BodyChunk.Pass) this.sink!.onRequestBody(chunk);
    else if (verdict === BodyChunk.Crossed) {
      this.sink!.onRequestBodyTooLarge();
    }
  }

  onEnd(): void {
    if (!this.body.refused) this.sink!.onRequestEnd();
  }

  writeHead(status: number, headers: string[]): void {
    const list: string[] = [':status', String(status)];
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i].toLowerCase();
      if (CONNECTION_SPECIFIC.has(name)) continue;
      if (GRPC_STATUS_FIELDS.has(name)) {
        // A trailers-only gRPC answer (status in the headers): the status goes out as trailers
        // after the head, which every gRPC client reads the same way.
        if (this.takesTrailers) (this.trailers ??= {})[name] = headers[i + 1];
        else list.push(name, headers[i + 1]);
        continue;
      }
      list.push(name, headers[i + 1]);
    }
    // Throws on a header node:http2 refuses (the exchange then answers 502 itself).
    if (this.takesTrailers) {
      this.stream.respond(list as unknown as H2Headers, WITH_TRAILERS);
      this.stream.once('wantTrailers', onWantTrailers);
    } else this.stream.respond(list as unknown as H2Headers);
    this.statusCode = status;
    this.headersSent = true;
  }

  write(chunk: Buffer): boolean {
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) return true;
    if (stream.write(chunk)) return true;
    this.awaitingDrain = true;
    return false;
  }

  addTrailers(trailers: Record<string, string>): void {
    if (!this.takesTrailers) return;
    const kept = (this.trailers ??= {});
    for (const name of Object.keys(trailers)) {
      const lower = name.toLowerCase();
      if (!CONNECTION_SPECIFIC.has(lower)) kept[lower] = trailers[name];
    }
  }

  end(body?: Buffer): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    if (!this.headersSent) this.writeHead(this.statusCode, []);
    // HEAD, 204 and 304 responses end with their head.
    if (!stream.writableEnded) stream.end(body);
  }

  /** The response cannot be completed honestly: the stream is reset, the connection's other streams go on. */
  destroy(): void {
    const stream = this.stream;
    if (!stream.destroyed) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  }

  /** HTTP/2 requests never switch protocols here (no extended CONNECT). */
  takeOver(): TakenOverSocket | undefined {
    return undefined;
  }

  sendTrailers(): void {
    this.stream.sendTrailers(this.trailers ?? {});
  }

  drained(): void {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    this.sink!.onClientDrain();
  }

  closed(): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.sink!.onClientClosed();
  }
}

const WITH_TRAILERS = { waitForTrailers: true };

function onStreamClose(this: StreamWithClient): void {
  this.sluiceClient!.closed();
}
function onStreamDrain(this: StreamWithClient): void {
  this.sluiceClient!.drained();
}
function onStreamData(this: StreamWithClient, chunk: Buffer): void {
  this.sluiceClient!.onData(chunk);
}
function onStreamEnd(this: StreamWithClient): void {
  this.sluiceClient!.onEnd();
}
function onWantTrailers(this: StreamWithClient): void {
  this.sluiceClient!.sendTrailers();
}
function ignoreError(): void {
  // 'close' follows every error and carries the consequences.
}
