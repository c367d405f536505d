import net from 'node:net';
import tls from 'node:tls';
import type { NodeRef } from '../balancer/types.js';
import { HTTPParser, type LlhttpParser } from './llhttp.js';
import type { LegLoss, LegRequest, LegUser, UpstreamLeg } from './upstream-leg.js';
import type { UpstreamSettings } from './upstream-settings.js';

type ResponseParser = LlhttpParser & { conn?: UpstreamConnection };

/** What a connection needs of the pool that owns it. */
export interface ConnectionOwner {
  forget(conn: UpstreamConnection): void;
  release(conn: UpstreamConnection, settings: UpstreamSettings): void;
  /** `reset`: close with a TCP reset (nothing queued lingers, a peer that stopped reading still sees it). */
  discard(conn: UpstreamConnection, reset?: boolean): void;
  /** The connection's socket left HTTP (101) and is no longer the pool's. */
  handedOver(conn: UpstreamConnection): void;
}

type OwnedSocket = net.Socket & { sluiceConn?: UpstreamConnection };

const CRLF = Buffer.from('\r\n', 'latin1');
/**
 * Content-Length bodies from this size on are taken from the socket's reads uncopied
 * (`takeBody`). Below it the parser's copy is cheaper than restarting the parser per response.
 * 256 KiB responses: 702–877 → 426–652 µs CPU per request (PROFILE_MODE=rate A/B).
 */
const UNCOPIED_BODY_MIN = 4096;
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/**
 * One upstream HTTP/1.1 connection: a socket plus its response parser, serving one exchange
 * at a time (an `UpstreamLeg`). Listeners are module-level functions that find the connection
 * through the socket or parser, so neither a connection nor a request allocates closures.
 */
export class UpstreamConnection implements UpstreamLeg {
  readonly socket: OwnedSocket;
  readonly parser: ResponseParser;
  user: LegUser | undefined = undefined;
  connected = false;
  closed = false;
  /** Taken from the idle pool (it served a response before). */
  reused = false;
  /** A byte of the current response arrived. */
  receivedBytes = false;
  /** The last response allowed the connection to be kept. */
  keepAlive = true;
  requests = 0;
  idleSince = 0;
  idleMs = 0;
  /** The request body goes chunked (its length was not known up front). */
  private chunkedBody = false;
  private informational = false;
  /** The upstream answered 101: what follows the head is another protocol. */
  private switched = false;
  /**
   * Bytes still to come of a Content-Length body that is taken straight from the socket's reads
   * (see `headersComplete`): Node's parser binding copies every body chunk it reports, and those
   * copies (plus the GC they drive) were most of a large response's cost.
   */
  private bodyRemaining = 0;
  private partialHeaders: string[] = [];

  constructor(
    readonly owner: ConnectionOwner,
    host: string,
    port: number,
    tlsOptions: tls.ConnectionOptions | undefined,
    servername: string | undefined,
  ) {
    const socket: OwnedSocket = tlsOptions ? tls.connect({ ...tlsOptions, host, port, servername }) : net.connect({ host, port, noDelay: true });
    socket.sluiceConn = this;
    if (tlsOptions) {
      socket.setNoDelay(true);
      socket.on('secureConnect', onSocketConnect);
    } else socket.on('connect', onSocketConnect);
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    this.socket = socket;

    const parser: ResponseParser = new HTTPParser();
    parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
    parser.conn = this;
    parser[HTTPParser.kOnHeaders] = onParserHeaders;
    parser[HTTPParser.kOnHeadersComplete] = onParserHeadersComplete;
    parser[HTTPParser.kOnBody] = onParserBody;
    parser[HTTPParser.kOnMessageComplete] = onParserMessageComplete;
    this.parser = parser;
  }

  // --- UpstreamLeg ---

  sendHead(request: LegRequest, node: NodeRef): void {
    const out = request.outgoing;
    this.writeHead(request.h1HeadFor(node), out.framing === 'chunked' && out.upgrade === undefined);
  }

  /** Writes a whole request head; `chunkedBody`: the body that follows goes chunked. */
  writeHead(head: string, chunkedBody: boolean): void {
    this.requests++;
    this.receivedBytes = false;
    this.chunkedBody = chunkedBody;
    // A socket still connecting queues the head; it goes out on connect.
    this.socket.write(head, 'latin1');
  }

  writeBody(chunk: Buffer): boolean {
    const socket = this.socket;
    if (!this.chunkedBody) return socket.write(chunk);
    socket.cork();
    socket.write(chunk.length.toString(16) + '\r\n', 'latin1');
    socket.write(chunk);
    const flushed = socket.write(CRLF);
    socket.uncork();
    return flushed;
  }

  endBody(): void {
    if (this.chunkedBody) this.socket.write(LAST_CHUNK);
  }

  pauseResponse(): void {
    this.socket.pause();
  }

  resumeResponse(): void {
    if (this.socket.isPaused()) this.socket.resume();
  }

  release(reusable: boolean, settings: UpstreamSettings): void {
    if (reusable) this.owner.release(this, settings);
    else this.owner.discard(this);
  }

  /** Detaches the user and closes the socket; nothing is reported. */
  destroy(): void {
    this.user = undefined;
    this.keepAlive = false;
    this.socket.destroy();
  }

  /** Like destroy, with a TCP reset: for a connection given up with bytes still queued for a peer that does not read. */
  reset(): void {
    this.user = undefined;
    this.keepAlive = false;
    if (typeof this.socket.resetAndDestroy === 'function' && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  // --- socket and parser events ---

  handleData(chunk: Buffer): void {
    if (this.user === undefined) {
      // Bytes on an idle connection: the server is out of step with us; never reuse it.
      this.destroy();
      return;
    }
    this.receivedBytes = true;
    if (this.bodyRemaining > 0) return this.takeBody(chunk, 0);
    const result = this.parser.execute(chunk);
    if (typeof result !== 'number') return this.lose('protocol');
    if (this.switched) this.handOver(chunk.subarray(result));
    else if (this.bodyRemaining > 0) this.takeBody(chunk, result);
  }

  /** Body bytes of a Content-Length response, from `from` in this read, uncopied. */
  private takeBody(chunk: Buffer, from: number): void {
    const available = chunk.length - from;
    if (available <= 0) return;
    const take = available < this.bodyRemaining ? available : this.bodyRemaining;
    this.bodyRemaining -= take;
    this.user?.onResponseBody(this, from === 0 && take === chunk.length ? chunk : chunk.subarray(from, from + take));
    if (this.bodyRemaining > 0) return;
    // The response is whole: the parser starts clean for the next one on this connection.
    this.parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
    // Bytes past the body that nobody asked for: the upstream is out of step; never reuse it.
    if (from + take < chunk.length) this.keepAlive = false;
    this.user?.onResponseEnd(this);
  }

  handleEnd(): void {
    // A close-delimited body ends here; anything else still pending was cut short.
    if (this.user !== undefined && !this.closed) {
      // Closed before the Content-Length body was whole: a truncated response.
      if (this.bodyRemaining > 0) {
        this.bodyRemaining = 0;
        this.keepAlive = false;
        return this.lose('protocol');
      }
      const result = this.parser.finish();
      if (result !== undefined) this.lose(this.receivedBytes ? 'protocol' : 'reset');
    }
    this.keepAlive = false;
  }

  handleClose(): void {
    this.closed = true;
    this.keepAlive = false;
    this.owner.forget(this);
    this.parser.close();
    this.lose(this.connected ? 'reset' : 'connect');
  }

  headersComplete(rawHeaders: string[] | undefined, status: number, keepAlive: boolean): number {
    let headers = rawHeaders;
    if (headers === undefined || headers.length === 0) {
      if (this.partialHeaders.length > 0) {
        headers = this.partialHeaders;
        this.partialHeaders = [];
      } else headers = headers ?? [];
    }
    if (status < 200 && status !== 101) {
      // 100 Continue and other interim responses: the gateway told its client itself.
      this.informational = true;
      return 1;
    }
    this.keepAlive = keepAlive;
    const user = this.user;
    if (user === undefined) return 1;
    if (status === 101) {
      // llhttp stops after this head: the rest of the bytes are the new protocol's.
      this.switched = true;
      this.keepAlive = false;
    }
    const skipBody = user.onResponseHead(this, status, headers);
    // A body framed by one Content-Length of UNCOPIED_BODY_MIN or more: the parser stops after
    // the head (2, as for an upgrade) and the body is taken from the reads as they come
    // (`takeBody`). Everything else (small, chunked, close-delimited, no body) stays with the parser.
    if (skipBody === 0 && !this.switched && this.user !== undefined && status !== 204 && status !== 304) {
      const length = singleContentLength(headers);
      if (length >= UNCOPIED_BODY_MIN) {
        this.bodyRemaining = length;
        return 2;
      }
    }
    return skipBody;
  }

  body(chunk: Buffer): void {
    if (!this.informational) this.user?.onResponseBody(this, chunk);
  }

  messageComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    if (this.switched) return; // not an end: the socket changes hands in handleData
    if (this.bodyRemaining > 0) return; // not an end: the body follows (takeBody)
    this.user?.onResponseEnd(this);
  }

  addPartialHeaders(headers: string[]): void {
    for (let i = 0; i < headers.length; i++) this.partialHeaders.push(headers[i]);
  }

  /** After a 101: the socket leaves this connection (and its pool) for the tunnel. */
  private handOver(rest: Buffer): void {
    const user = this.user;
    this.user = undefined;
    const socket = this.socket;
    socket.removeListener('data', onSocketData);
    socket.removeListener('end', onSocketEnd);
    socket.removeListener('close', onSocketClose);
    socket.removeListener('drain', onSocketDrain);
    this.closed = true;
    this.owner.handedOver(this);
    this.parser.close();
    user?.onSwitched(this, socket, Buffer.from(rest));
  }

  private lose(reason: LegLoss): void {
    const user = this.user;
    if (user === undefined) return;
    this.user = undefined;
    this.keepAlive = false;
    if (!this.closed) this.socket.destroy();
    user.onConnectionLost(this, reason);
  }
}

/**
 * The length a response's one Content-Length header gives, or -1 when there is none, more than
 * one, a Transfer-Encoding beside it, or a value that is not plain digits (llhttp has refused
 * most of those already; the rest stay with the parser).
 */
function singleContentLength(headers: string[]): number {
  let length = -1;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (length >= 0) return -1;
      const value = headers[i + 1];
      if (value.length === 0 || value.length > 15) return -1;
      for (let j = 0; j < value.length; j++) {
        const c = value.charCodeAt(j);
        if (c < 0x30 || c > 0x39) return -1;
      }
      length = Number(value);
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return -1;
  }
  return length;
}

function onSocketConnect(this: OwnedSocket): void {
  const conn = this.sluiceConn!;
  conn.connected = true;
  conn.user?.onConnected(conn);
}
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this.sluiceConn!.handleData(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this.sluiceConn!.handleEnd();
}
function onSocketError(): void {
  // 'close' follows every error and carries the decision.
}
function onSocketClose(this: OwnedSocket): void {
  this.sluiceConn!.handleClose();
}
function onSocketDrain(this: OwnedSocket): void {
  const conn = this.sluiceConn!;
  conn.user?.onWritable(conn);
}
function onParserHeaders(this: ResponseParser, headers: string[]): void {
  this.conn!.addPartialHeaders(headers);
}
function onParserHeadersComplete(
  this: ResponseParser,
  _major: number,
  _minor: number,
  headers: string[] | undefined,
  _method: unknown,
  _url: unknown,
  status: number,
  _statusMessage: string,
  _upgrade: boolean,
  keepAlive: boolean,
): number {
  return this.conn!.headersComplete(headers, status, keepAlive);
}
function onParserBody(this: ResponseParser, chunk: Buffer): void {
  this.conn!.body(chunk);
}
function onParserMessageComplete(this: ResponseParser): void {
  this.conn!.messageComplete();
}
