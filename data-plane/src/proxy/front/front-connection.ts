import type { Socket } from 'node:net';
import type { FrontHandler } from './client-side.js';
import { FrontRequest } from './front-request.js';
import { acquireParser, HTTPParser, METHODS, PAUSE_PARSER, releaseParser, type ParseError, type RequestParser } from './request-parser.js';

/** The limits as counts of timer periods (see `frontTimeouts`). */
export interface FrontTimeouts {
  tickMs: number;
  /** Periods to receive a whole request head, from its first byte. */
  headersTicks: number;
  /** Periods a connection may sit idle between requests. */
  keepAliveTicks: number;
  maxHeaderSize: number;
}

/**
 * Converts the limits to timer periods. The period is a twelfth of the shorter limit, so a
 * limit is never cut short and overrun by at most one period (5 s of a 65 s keep-alive).
 */
export function frontTimeouts(headersTimeoutMs: number, keepAliveTimeoutMs: number, maxHeaderSize: number): FrontTimeouts {
  const tickMs = Math.max(10, Math.floor(Math.min(headersTimeoutMs, keepAliveTimeoutMs) / 12));
  // +1: the state may begin just before a tick.
  return { tickMs, headersTicks: Math.ceil(headersTimeoutMs / tickMs) + 1, keepAliveTicks: Math.ceil(keepAliveTimeoutMs / tickMs) + 1, maxHeaderSize };
}

/** What the connection is waiting for; decides what the timer means. */
const State = { Idle: 0, Head: 1, Busy: 2, Gone: 3 } as const;
type State = (typeof State)[keyof typeof State];

/** Why reading from the client is paused (a bit set: reading resumes when none is left). */
const Hold = { Pipeline: 1, BodyBuffered: 2, BackPressure: 4 } as const;

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
const EXPECTATION_FAILED = 'HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

type ParserWithConn = RequestParser & { conn?: FrontConnection };
type SocketWithConn = Socket & { sluiceFront?: FrontConnection };

/**
 * One client connection of the raw front: its llhttp parser, its timer and the request in
 * flight. Requests are answered one at a time, in order: a pipelined request waits with its
 * head parsed (llhttp paused right after it) and the rest of the bytes kept, while reading
 * from the socket is paused.
 */
export class FrontConnection {
  readonly socket: SocketWithConn;
  private parser: ParserWithConn | undefined;
  /** The request whose body the parser is reading. */
  private reading: FrontRequest | undefined = undefined;
  /** The request whose response is in flight. */
  private responding: FrontRequest | undefined = undefined;
  /** A pipelined request parsed up to its head, waiting for `responding` to finish. */
  private queued: FrontRequest | undefined = undefined;
  /** The bytes after `queued`'s head. */
  private stash: Buffer | undefined = undefined;
  private upgrading: FrontRequest | undefined = undefined;
  private partialHeaders: string[] | undefined = undefined;
  private partialUrl = '';
  private state: State = State.Idle;
  /** Timer periods elapsed, and the count at which the current state's limit is reached: no clock reads per request. */
  private ticks = 0;
  private deadline: number;
  private holds = 0;
  /** No more requests are read: the connection ends after the current response. */
  private closing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    socket: Socket,
    readonly handler: FrontHandler,
    private readonly timeouts: FrontTimeouts,
  ) {
    this.socket = socket;
    this.socket.sluiceFront = this;
    const parser: ParserWithConn = acquireParser(timeouts.maxHeaderSize);
    parser.conn = this;
    parser[HTTPParser.kOnMessageBegin] = onMessageBegin;
    parser[HTTPParser.kOnHeaders] = onHeaders;
    parser[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
    parser[HTTPParser.kOnBody] = onBody;
    parser[HTTPParser.kOnMessageComplete] = onMessageComplete;
    this.parser = parser;
    this.deadline = timeouts.keepAliveTicks;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', ignoreError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    // One timer per connection for both limits, checking `deadline`: nothing is armed per request.
    this.timer = setInterval(onTick, timeouts.tickMs, this);
    this.timer.unref();
  }

  /** Requests begun on this connection, and that count at the last drain sweep. */
  private requestsSeen = 0;
  private requestsAtSweep = -1;

  get idle(): boolean {
    return this.state === State.Idle;
  }

  // --- socket events ---

  handleData(chunk: Buffer): void {
    if (this.closing) return; // after `Connection: close` or a bad request, nothing more is read
    if (this.requestsSeen === 0 && this.state === State.Idle && isH2Preface(chunk) && this.handler.handleH2c) {
      // h2c with prior knowledge: the connection is HTTP/2 from its first byte.
      this.detach();
      this.handler.handleH2c(this.socket, chunk);
      return;
    }
    if (this.stash !== undefined) {
      this.stash = Buffer.concat([this.stash, chunk]);
      return;
    }
    this.parse(chunk);
  }

  handleEnd(): void {
    // As node:http does: a client that stops sending has gone away; a response in flight is abandoned.
    this.closing = true;
    if (this.responding !== undefined) this.socket.destroy();
    else this.socket.end();
  }

  handleClose(): void {
    this.state = State.Gone;
    this.closing = true;
    clearInterval(this.timer);
    const responding = this.responding;
    this.responding = undefined;
    this.queued = undefined;
    this.stash = undefined;
    this.freeParser();
    responding?.clientGone();
  }

  handleDrain(): void {
    this.responding?.drained();
  }

  /** Called every timer period: ends connections whose head is too slow or idle too long. */
  tick(): void {
    if (++this.ticks < this.deadline || this.state === State.Busy || this.state === State.Gone) return;
    if (this.state === State.Head) {
      this.closing = true;
      if (this.responding !== undefined) this.socket.destroy();
      else this.socket.end(REQUEST_TIMEOUT, 'latin1');
      this.state = State.Gone;
    } else if (this.state === State.Idle) {
      this.state = State.Gone;
      this.socket.destroy();
    }
  }

  /**
   * Drain, gently: closes the connection only if it was already idle at the previous sweep
   * and no request came since. A client that is using the connection sends its next request
   * within that time and gets `Connection: close` on the answer, so closing never races with
   * a request already on the wire (the ECONNRESET an immediate close causes).
   */
  closeIfLongIdle(): void {
    if (this.state === State.Idle && this.requestsAtSweep === this.requestsSeen) {
      this.state = State.Gone;
      this.socket.destroy();
      return;
    }
    this.requestsAtSweep = this.requestsSeen;
  }

  /** Drain: an idle connection closes now; a busy one answers `Connection: close`. */
  closeIfIdle(): void {
    if (this.state === State.Idle) {
      this.state = State.Gone;
      this.socket.destroy();
    }
  }

  // --- parser callbacks ---

  messageBegin(): void {
    this.requestsSeen++;
    this.state = State.Head;
    this.deadline = this.ticks + this.timeouts.headersTicks;
  }

  addPartialHeaders(headers: string[] | undefined, url: string | undefined): void {
    if (headers !== undefined) {
      const partial = (this.partialHeaders ??= []);
      for (let i = 0; i < headers.length; i++) partial.push(headers[i]);
    }
    if (url) this.partialUrl += url;
  }

  headersComplete(major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined, upgrade: boolean, keepAlive: boolean): number {
    if (headers === undefined || (headers.length === 0 && this.partialHeaders !== undefined)) {
      headers = this.partialHeaders ?? [];
      this.partialHeaders = undefined;
    }
    if (!url) {
      url = this.partialUrl;
      this.partialUrl = '';
    }
    const req = new FrontRequest(this, METHODS[method], url, headers, major === 1 ? minor : 0, keepAlive, upgrade);
    this.state = State.Busy;
    this.reading = req;
    if (this.responding !== undefined) {
      this.queued = req;
      return PAUSE_PARSER;
    }
    return this.start(req) ? 0 : PAUSE_PARSER;
  }

  body(chunk: Buffer): void {
    this.reading?.onBody(chunk);
  }

  messageComplete(): void {
    const req = this.reading;
    this.reading = undefined;
    if (req === undefined) return;
    if (!req.keepAlive) this.closing = true; // llhttp reads nothing more after this message
    req.onMessageComplete();
    this.settleIfIdle();
  }

  // --- requests ---

  /** Hands a parsed head to the proxy; false when it was refused and the connection ends. */
  private start(req: FrontRequest): boolean {
    const headers = req.headers;
    if (req.upgrade) {
      if (req.method === 'CONNECT') return this.refuse(BAD_REQUEST);
      this.upgrading = req; // handed over once `execute` returns, with the bytes after the head
      return true;
    }
    if (req.http11 && headers.host === undefined) return this.refuse(BAD_REQUEST);
    const expect = headers.expect;
    if (expect !== undefined) {
      if (!req.http11 || expect.toLowerCase() !== '100-continue') return this.refuse(EXPECTATION_FAILED);
      this.socket.write(CONTINUE, 'latin1');
    }
    this.responding = req;
    this.handler.handleRequest(req);
    return true;
  }

  responseFinished(req: FrontRequest): void {
    if (req !== this.responding) return;
    this.responding = undefined;
    if (!req.keepAlive) {
      this.closing = true;
      this.socket.end();
      return;
    }
    const queued = this.queued;
    if (queued === undefined) {
      this.settleIfIdle();
      return;
    }
    // The pipelined request's turn: start it, then parse what followed its head.
    this.queued = undefined;
    const rest = this.stash!;
    this.stash = undefined;
    this.hold(Hold.Pipeline, false);
    if (!this.start(queued)) return;
    this.parse(rest);
  }

  holdForBody(on: boolean): void {
    this.hold(Hold.BodyBuffered, on);
  }

  holdForBackPressure(on: boolean): void {
    this.hold(Hold.BackPressure, on);
  }

  private hold(reason: number, on: boolean): void {
    const before = this.holds;
    this.holds = on ? before | reason : before & ~reason;
    if (before === 0 && this.holds !== 0) this.socket.pause();
    else if (before !== 0 && this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }

  private settleIfIdle(): void {
    if (this.responding === undefined && this.reading === undefined && this.queued === undefined && this.state !== State.Gone) {
      this.state = State.Idle;
      this.deadline = this.ticks + this.timeouts.keepAliveTicks;
    }
  }

  private parse(buf: Buffer): void {
    const parser = this.parser;
    if (parser === undefined) return;
    let result: number | ParseError;
    try {
      result = parser.execute(buf);
    } catch {
      // A bug below a parser callback: lose this connection, never the worker.
      this.closing = true;
      this.socket.destroy();
      return;
    }
    if (this.closing && this.upgrading === undefined) return;
    if (typeof result === 'number') {
      if (this.upgrading !== undefined) this.handOver(buf.subarray(result));
      return;
    }
    if (result.code !== 'HPE_PAUSED') return this.parseFailed(result);
    // Paused right after a pipelined head: keep the rest until the response in flight finishes.
    parser.resume();
    this.stash = buf.subarray(result.bytesParsed);
    this.hold(Hold.Pipeline, true);
  }

  private parseFailed(err: ParseError): void {
    this.closing = true;
    const responding = this.responding;
    if (responding !== undefined) {
      // Bad body bytes: the exchange is abandoned; the client still hears 400 if nothing went out yet.
      if (responding.headersSent) return void this.socket.destroy();
      this.responding = undefined;
      responding.clientGone();
    }
    this.state = State.Gone;
    this.socket.end(err.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : BAD_REQUEST, 'latin1');
  }

  private refuse(response: string): false {
    this.closing = true;
    this.state = State.Gone;
    this.socket.end(response, 'latin1');
    return false;
  }

  /** The socket leaves HTTP: the proxy's upgrade handling owns it from here. */
  private handOver(bodyHead: Buffer): void {
    const req = this.upgrading!;
    this.upgrading = undefined;
    this.detach();
    this.handler.handleUpgrade(req, this.socket, Buffer.from(bodyHead));
  }

  /** Stops treating the socket as HTTP/1.1: listeners, timer and parser go; the socket stays open. */
  private detach(): void {
    this.closing = true;
    this.state = State.Gone;
    clearInterval(this.timer);
    const socket = this.socket;
    socket.removeListener('data', onSocketData);
    socket.removeListener('end', onSocketEnd);
    socket.removeListener('close', onSocketClose);
    socket.removeListener('drain', onSocketDrain);
    // The parser may still be on the stack of an `execute` call: free it afterwards.
    setImmediate(freeParserOf, this);
    if (this.holds !== 0) {
      this.holds = 0;
      socket.resume();
    }
  }

  freeParser(): void {
    const parser = this.parser;
    if (parser === undefined) return;
    this.parser = undefined;
    parser.conn = undefined;
    releaseParser(parser);
  }
}

function onTick(conn: FrontConnection): void {
  conn.tick();
}
function freeParserOf(conn: FrontConnection): void {
  conn.freeParser();
}
function onSocketData(this: SocketWithConn, chunk: Buffer): void {
  this.sluiceFront!.handleData(chunk);
}
function onSocketEnd(this: SocketWithConn): void {
  this.sluiceFront!.handleEnd();
}
function onSocketClose(this: SocketWithConn): void {
  this.sluiceFront!.handleClose();
}
function onSocketDrain(this: SocketWithConn): void {
  this.sluiceFront!.handleDrain();
}
function ignoreError(): void {
  // 'close' follows every error and carries the consequences.
}
function onMessageBegin(this: ParserWithConn): void {
  this.conn?.messageBegin();
}
function onHeaders(this: ParserWithConn, headers: string[] | undefined, url: string | undefined): void {
  this.conn?.addPartialHeaders(headers, url);
}
function onHeadersComplete(
  this: ParserWithConn,
  major: number,
  minor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  _status: unknown,
  _statusMessage: unknown,
  upgrade: boolean,
  keepAlive: boolean,
): number {
  return this.conn?.headersComplete(major, minor, headers, method, url, upgrade, keepAlive) ?? PAUSE_PARSER;
}
function onBody(this: ParserWithConn, chunk: Buffer): void {
  this.conn?.body(chunk);
}
function onMessageComplete(this: ParserWithConn): void {
  this.conn?.messageComplete();
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** True when the bytes start like the HTTP/2 connection preface (a first chunk shorter than it counts if it matches so far). */
function isH2Preface(chunk: Buffer): boolean {
  if (chunk.length < 3 || chunk[0] !== 0x50 /* P */) return false;
  const n = Math.min(chunk.length, H2_PREFACE.length);
  return chunk.compare(H2_PREFACE, 0, n, 0, n) === 0;
}
