import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientSide, ClientSink, TakenOverSocket } from './client-side.js';
import { requestHeaders } from './request-headers.js';
import { buildResponseHead, Framing, type HeadDecision } from './response-head.js';

/** Where the request body goes. */
const Body = { Buffering: 0, Reading: 1, Discarding: 2 } as const;
type Body = (typeof Body)[keyof typeof Body];

/**
 * Bodies up to this size go out in the same write as what precedes them (one small copy beats a
 * writev). Larger ones go out corked, uncopied: a 16 KiB limit made every 16 KiB response allocate
 * and copy 16 KiB more, and the external memory churn drove V8 into major GCs (16 KiB responses:
 * 123–141 → 54–97 µs CPU per request with 2 KiB, tiny responses unchanged; docs/performance.md).
 */
const COALESCE_LIMIT = 2048;
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = '0\r\n\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** What a request needs of the raw front connection it arrived on (a FrontConnection). */
export interface RequestConnection {
  readonly socket: Socket;
  readonly handler: { readonly draining: boolean };
  holdForBody(on: boolean): void;
  holdForBackPressure(on: boolean): void;
  responseFinished(req: FrontRequest): void;
  takeOver(req: FrontRequest): TakenOverSocket | undefined;
}

/**
 * One request on a raw front connection and its response: everything the exchange needs of
 * the client, in one object. The body is pushed by the connection's parser callbacks; the
 * response is framed here and written straight to the socket.
 */
export class FrontRequest implements ClientSide, HeadDecision {
  headers: IncomingHttpHeaders;
  readonly socket: Socket;
  readonly http11: boolean;
  readonly http2 = false;
  readonly grpc = false;
  readonly upgrade: string | undefined;
  path: string;
  query = '';
  host: string | undefined;
  // HeadDecision
  framing: Framing = Framing.None;
  /** From llhttp (version and Connection), then narrowed by the response (drain, close-delimited). */
  keepAlive: boolean;

  statusCode = 200;
  headersSent = false;
  destroyed = false;
  writableFinished = false;
  /** Whether the client was told the outcome (finished or gone); once. */
  closeReported = false;
  private sink: ClientSink | undefined = undefined;
  private body: Body = Body.Buffering;
  private buffered: Buffer[] | undefined = undefined;
  private bodyEnded = false;
  private bodyBytes = 0;
  private bodyLimit = Infinity;
  /** `Expect: 100-continue` that was not answered yet: answered when the body is first read. */
  private awaitingContinue: boolean;
  private pendingHead: string | undefined = undefined;
  private readonly noBody: boolean;

  constructor(
    readonly conn: RequestConnection,
    readonly method: string,
    readonly url: string,
    public rawHeaders: string[],
    versionMinor: number,
    keepAlive: boolean,
    upgrade: boolean,
  ) {
    const headers = requestHeaders(rawHeaders);
    this.headers = headers;
    this.socket = conn.socket;
    this.http11 = versionMinor >= 1;
    this.keepAlive = keepAlive;
    this.noBody = method === 'HEAD';
    this.path = url;
    this.host = headers.host;
    this.awaitingContinue = headers.expect !== undefined;
    // llhttp flags CONNECT and `Connection: upgrade` + `Upgrade`; the token is what a tunnel needs.
    this.upgrade = upgrade ? (headers.upgrade ?? '') : undefined;
  }

  attach(sink: ClientSink): void {
    this.sink = sink;
  }

  // --- request body, pushed by the connection ---

  onBody(chunk: Buffer): void {
    if (this.body === Body.Discarding) return;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.bodyLimit) return this.tooLarge();
    if (this.body === Body.Reading) this.sink!.onRequestBody(chunk);
    else {
      (this.buffered ??= []).push(chunk);
      this.conn.holdForBody(true);
    }
  }

  onMessageComplete(): void {
    this.bodyEnded = true;
    this.awaitingContinue = false;
    if (this.body === Body.Reading) this.sink!.onRequestEnd();
  }

  readBody(): void {
    if (this.body !== Body.Buffering) return;
    this.body = Body.Reading;
    if (this.awaitingContinue) {
      // The access phases let the request through: now the client may send its body (RFC 9110 §10.1.1).
      this.awaitingContinue = false;
      if (!this.bodyEnded && !this.headersSent) this.socket.write(CONTINUE, 'latin1');
    }
    const buffered = this.buffered;
    this.buffered = undefined;
    this.conn.holdForBody(false);
    if (buffered !== undefined) for (const chunk of buffered) this.sink!.onRequestBody(chunk);
    if (this.bodyEnded) this.sink!.onRequestEnd();
  }

  pauseBody(): void {
    this.conn.holdForBackPressure(true);
  }

  resumeBody(): void {
    if (this.body === Body.Buffering) this.discardBody();
    this.conn.holdForBackPressure(false);
  }

  limitBody(maxBytes: number): void {
    this.bodyLimit = maxBytes;
    if (this.bodyBytes > maxBytes) this.tooLarge();
  }

  discardBody(): void {
    if (this.body === Body.Reading) return;
    this.body = Body.Discarding;
    this.buffered = undefined;
    this.conn.holdForBody(false);
  }

  /** Past the limit: nothing more is delivered, and the connection ends after the response (the rest of the body is never read). */
  private tooLarge(): void {
    this.body = Body.Discarding;
    this.buffered = undefined;
    this.keepAlive = false;
    this.conn.holdForBody(false);
    this.sink?.onRequestBodyTooLarge();
  }

  // --- response ---

  writeHead(status: number, headers: string[]): void {
    if (this.headersSent) throw new Error('response head already sent');
    this.statusCode = status;
    this.headersSent = true;
    if (this.conn.handler.draining) this.keepAlive = false;
    // Answered before the body it never asked for: whether the client sends it now is unknown,
    // so the next bytes cannot be trusted to be a request. The connection ends after this response.
    if (this.awaitingContinue && !this.bodyEnded) this.keepAlive = false;
    this.pendingHead = buildResponseHead(status, headers, this.noBody, this.http11, this);
  }

  write(chunk: Buffer): boolean {
    if (this.destroyed || this.writableFinished) return true;
    if (this.framing === Framing.None || chunk.length === 0) return true;
    const socket = this.socket;
    const chunked = this.framing === Framing.Chunked;
    let prefix = this.pendingHead ?? '';
    this.pendingHead = undefined;
    if (chunked) prefix += `${chunk.length.toString(16)}\r\n`;
    if (chunk.length <= COALESCE_LIMIT) {
      const out = Buffer.allocUnsafe(prefix.length + chunk.length + (chunked ? 2 : 0));
      out.write(prefix, 0, 'latin1');
      chunk.copy(out, prefix.length);
      if (chunked) CRLF.copy(out, prefix.length + chunk.length);
      return this.flushed(socket.write(out));
    }
    socket.cork();
    if (prefix.length > 0) socket.write(prefix, 'latin1');
    let flushed = socket.write(chunk);
    if (chunked) flushed = socket.write(CRLF);
    socket.uncork();
    return this.flushed(flushed);
  }

  /** HTTP/1.1 responses carry no trailers here: the gateway's answers never need them. */
  addTrailers(): void {}

  end(body?: Buffer): void {
    if (this.destroyed || this.writableFinished) return;
    if (!this.headersSent) this.writeHead(this.statusCode, []);
    if (body !== undefined && body.length > 0 && this.framing !== Framing.None) {
      if (this.framing === Framing.Chunked) {
        // Head (if still pending), the one chunk and the last chunk in one write.
        this.socket.write(`${this.pendingHead ?? ''}${body.length.toString(16)}\r\n${body.toString('latin1')}\r\n${LAST_CHUNK}`, 'latin1');
        this.pendingHead = undefined;
        return this.finish();
      }
      this.write(body);
    }
    const tail = this.framing === Framing.Chunked ? LAST_CHUNK : '';
    const head = this.pendingHead;
    this.pendingHead = undefined;
    if (head !== undefined) this.socket.write(head + tail, 'latin1');
    else if (tail !== '') this.socket.write(tail, 'latin1');
    this.finish();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.socket.destroy();
  }

  takeOver(): TakenOverSocket | undefined {
    if (this.upgrade === undefined || this.destroyed) return undefined;
    // The 101 head may still be pending: it goes out before the socket changes hands.
    if (this.pendingHead !== undefined) {
      this.socket.write(this.pendingHead, 'latin1');
      this.pendingHead = undefined;
    }
    const taken = this.conn.takeOver(this);
    if (taken === undefined) return undefined;
    this.writableFinished = true;
    this.closeReported = true;
    return taken;
  }

  /** The connection is going away before the response finished. */
  clientGone(): void {
    this.destroyed = true;
    this.reportClosed();
  }

  /** The socket drained; tells the exchange if it waits for that. */
  drained(): void {
    if (this.awaitingDrain) {
      this.awaitingDrain = false;
      this.sink?.onClientDrain();
    }
  }

  private awaitingDrain = false;

  private flushed(ok: boolean): boolean {
    if (!ok) this.awaitingDrain = true;
    return ok;
  }

  private finish(): void {
    this.writableFinished = true;
    if (!this.bodyEnded) this.discardBody();
    this.reportClosed();
    this.conn.responseFinished(this);
  }

  private reportClosed(): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.sink?.onClientClosed();
  }
}
