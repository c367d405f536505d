import type { Socket } from 'node:net';
import type { ClientLimits } from '../../compile/client-traffic.js';
import { HTTPParser, METHODS, PAUSE_PARSER, type LlhttpParser, type ParseError } from '../llhttp.js';
import type { FrontHandler, TakenOverSocket } from './client-side.js';
import { FrontRequest, type RequestConnection } from './front-request.js';
import { acquireParser, releaseParser } from './request-parser.js';

/** The limits as counts of timer periods (see `frontTimeouts`). */
export interface FrontTimeouts {
  tickMs: number;
  /** Periods to receive a whole request head, from its first byte. */
  headersTicks: number;
  /** Periods a connection may sit idle between requests. */
  keepAliveTicks: number;
}

const timeoutsCache = new WeakMap<ClientLimits, FrontTimeouts>();

/**
 * Converts the limits to timer periods. The period is a twelfth of the shorter limit, so a
 * limit is never cut short and overrun by at most one period (5 s of a 65 s keep-alive).
 * Cached per limits object: a table's settings are one object shared by every connection.
 */
export function frontTimeouts(limits: ClientLimits): FrontTimeouts {
  let t = timeoutsCache.get(limits);
  if (t === undefined) {
    const { headersTimeoutMs, keepAliveTimeoutMs } = limits;
    const tickMs = Math.max(10, Math.floor(Math.min(headersTimeoutMs, Math.max(keepAliveTimeoutMs, 120)) / 12));
    // +1: the state may begin just before a tick.
    t = { tickMs, headersTicks: Math.ceil(headersTimeoutMs / tickMs) + 1, keepAliveTicks: Math.ceil(keepAliveTimeoutMs / tickMs) + 1 };
    timeoutsCache.set(limits, t);
  }
  return t;
}

/** What the connection is waiting for; decides what the timer means. */
const State = { Idle: 0, Head: 1, Busy: 2, Gone: 3 } as const;
type State = (typeof State)[keyof typeof State];

/** Why reading from the client is paused (a bit set: reading resumes when none is left). */
const Hold = { Pipeline: 1, BodyBuffered: 2, BackPressure: 4 } as const;

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const EXPECTATION_FAILED = 'HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

type ParserWithConn = LlhttpParser & { conn?: FrontConnection };
type SocketWithConn = Socket & { sluiceFront?: FrontConnection };

/**
 * One client connection of the raw front: its llhttp parser, its timer and the request in
 * flight. Requests are answered one at a time, in order: a pipelined request waits with its
 * head parsed (llhttp paused right after it) and the rest of the bytes kept, while reading
 * from the socket is paused.
 *
 * Nothing of one request survives into the next: the head's pieces are reset when a message
 * begins, and trailer fields (which llhttp reports through the same callback as split heads)
 * are dropped. Framing is llhttp's strict reading; on top of it, what RFC 9112 asks and
 * llhttp allows is refused here: HTTP/0.9 and versions other than 1.x, Transfer-Encoding in
 * HTTP/1.0 (§6.1), CONNECT, and upgrade requests that carry a body.
 */
export class FrontConnection implements RequestConnection {
  readonly socket: SocketWithConn;
  private parser: ParserWithConn | undefined;
  /** The request whose body the parser is reading. */
  private reading: FrontRequest | undefined = undefined;
  /** The request whose response is in flight. */
  private responding: FrontRequest | undefined = undefined;
  /** A pipelined request parsed up to its head, waiting for `responding` to finish. */
  private queued: FrontRequest | undefined = undefined;
  /** The bytes after `queued`'s head (or after an upgrade request's head). */
  private stash: Buffer | undefined = undefined;
  /** An upgrade request in flight: bytes after its head wait in `stash` for the tunnel. */
  private upgrading: FrontRequest | undefined = undefined;
  private partialHeaders: string[] | undefined = undefined;
  private partialUrl = '';
  /** The current message's head is complete: a later headers callback carries trailers. */
  private headComplete = false;
  private state: State = State.Idle;
  /** Timer periods elapsed, and the count at which the current state's limit is reached: no clock reads per request. */
  private ticks = 0;
  private deadline: number;
  private holds = 0;
  /** No more requests are read: the connection ends after the current response. */
  private closing = false;
  private readonly timer: NodeJS.Timeout;
  private readonly timeouts: FrontTimeouts;

  constructor(
    socket: Socket,
    readonly handler: FrontHandler,
    /** The limits this connection lives by (taken when it was accepted). */
    readonly limits: ClientLimits,
  ) {
    this.socket = socket;
    this.socket.sluiceFront = this;
    this.timeouts = frontTimeouts(limits);
    const parser: ParserWithConn = acquireParser(limits.maxHeaderSize);
    parser.conn = this;
    // No message-begin callback: a head begins with the first bytes an idle connection
    // receives (handleData), which spares a call from C++ into JS per request.
    parser[HTTPParser.kOnHeaders] = onHeaders;
    parser[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
    parser[HTTPParser.kOnBody] = onBody;
    parser[HTTPParser.kOnMessageComplete] = onMessageComplete;
    this.parser = parser;
    this.deadline = this.timeouts.keepAliveTicks;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', ignoreError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    // One timer per connection for both limits, checking `deadline`: nothing is armed per request.
    this.timer = setInterval(onTick, this.timeouts.tickMs, this);
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
    if (this.closing && this.upgrading === undefined) return; // after `Connection: close` or a bad request, nothing more is read
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
    if (this.state === State.Idle) {
      // The first bytes of a request head: the head timeout runs from here.
      this.state = State.Head;
      this.deadline = this.ticks + this.timeouts.headersTicks;
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
    this.upgrading = undefined;
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

  addPartialHeaders(headers: string[] | undefined, url: string | undefined): void {
    // After the head, llhttp reports trailer fields here (with the request's URL again):
    // they belong to no request the gateway forwards, so they are dropped.
    if (this.headComplete) return;
    if (headers !== undefined) {
      const partial = (this.partialHeaders ??= []);
      for (let i = 0; i < headers.length; i++) partial.push(headers[i]);
    }
    if (url) this.partialUrl += url;
  }

  headersComplete(
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    this.requestsSeen++;
    this.headComplete = true;
    if (this.partialHeaders !== undefined) {
      // The head came in pieces: what llhttp hands over now is only the last piece.
      const partial = this.partialHeaders;
      this.partialHeaders = undefined;
      if (headers !== undefined) for (let i = 0; i < headers.length; i++) partial.push(headers[i]);
      headers = partial;
    }
    if (this.partialUrl.length > 0) {
      url = this.partialUrl + (url ?? '');
      this.partialUrl = '';
    }
    const req = new FrontRequest(this, METHODS[method], url ?? '', headers ?? [], major === 1 ? minor : 0, keepAlive, upgrade);
    this.state = State.Busy;
    this.reading = req;
    const refusal = refusalFor(req, major);
    if (refusal !== undefined) {
      this.refuse(refusal);
      return PAUSE_PARSER;
    }
    if (this.requestsSeen >= this.limits.keepAliveRequests || this.limits.keepAliveTimeoutMs === 0) req.keepAlive = false;
    if (upgrade) {
      // The bytes after an upgrade head belong to another protocol: they wait, unread, until
      // the upstream has switched (then the tunnel relays them) or declined (then they are dropped).
      this.upgrading = req;
      req.keepAlive = false;
    }
    if (this.responding !== undefined) {
      this.queued = req;
      return PAUSE_PARSER;
    }
    this.start(req);
    return 0;
  }

  body(chunk: Buffer): void {
    this.reading?.onBody(chunk);
  }

  messageComplete(): void {
    // What follows is a new message: its head starts empty (trailers of this one were dropped).
    this.headComplete = false;
    const req = this.reading;
    this.reading = undefined;
    if (req === undefined) return;
    if (!req.keepAlive) this.closing = true; // llhttp reads nothing more after this message
    req.onMessageComplete();
    this.settleIfIdle();
  }

  // --- requests ---

  /** Hands a parsed head to the proxy. */
  private start(req: FrontRequest): void {
    this.responding = req;
    this.handler.handleRequest(req);
  }

  responseFinished(req: FrontRequest): void {
    if (req !== this.responding) return;
    this.responding = undefined;
    if (!req.keepAlive) {
      this.closing = true;
      this.upgrading = undefined;
      this.stash = undefined;
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
    this.start(queued);
    if (!this.closing || this.upgrading !== undefined) this.parse(rest);
  }

  /** The upstream switched protocols for `req`: the socket leaves HTTP with the bytes the client sent after the head. */
  takeOver(req: FrontRequest): TakenOverSocket | undefined {
    if (req !== this.upgrading || req !== this.responding) return undefined;
    const pending = this.stash ?? Buffer.alloc(0);
    this.stash = undefined;
    this.upgrading = undefined;
    this.responding = undefined;
    this.detach();
    return { socket: this.socket, pending };
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
    if (typeof result === 'number') {
      if (this.upgrading !== undefined && result < buf.length) this.keep(buf.subarray(result));
      else if (this.upgrading !== undefined) this.keep(Buffer.alloc(0));
      return;
    }
    if (this.closing && this.upgrading === undefined) return;
    if (result.code !== 'HPE_PAUSED') return this.parseFailed(result);
    // Paused right after a pipelined head: keep the rest until the response in flight finishes.
    parser.resume();
    this.keep(buf.subarray(result.bytesParsed));
  }

  /** Keeps unparsed bytes and stops reading until the request in flight is done with. */
  private keep(rest: Buffer): void {
    this.stash = rest;
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

  private refuse(response: string): void {
    this.closing = true;
    this.state = State.Gone;
    this.reading = undefined;
    if (this.responding !== undefined) {
      // A pipelined request is refused while the one before it is answered: that answer
      // cannot be followed by ours in order, so the connection ends after it.
      this.responding.keepAlive = false;
      return;
    }
    this.socket.end(response, 'latin1');
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

/** What RFC 9112 refuses that llhttp lets through, for a parsed head; undefined when it may go on. */
function refusalFor(req: FrontRequest, major: number): string | undefined {
  // HTTP/0.9 has no head at all, and no version but 1.x has this framing.
  if (major !== 1) return BAD_REQUEST;
  // Only a proxy for the whole network tunnels CONNECT; a gateway serves origin requests.
  if (req.method === 'CONNECT') return BAD_REQUEST;
  const headers = req.headers;
  // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
  if (!req.http11 && headers['transfer-encoding'] !== undefined) return BAD_REQUEST;
  // An upgrade switches protocols right after the head: a body would be read by no one, or by
  // the upstream as the first bytes of the new protocol.
  if (
    req.upgrade !== undefined &&
    (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0'))
  ) {
    return BAD_REQUEST;
  }
  const expect = headers.expect;
  if (expect !== undefined && (!req.http11 || expect.toLowerCase() !== '100-continue')) return EXPECTATION_FAILED;
  return undefined;
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
