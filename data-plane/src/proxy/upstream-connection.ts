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
    const result = this.parser.execute(chunk);
    if (typeof result !== 'number') return this.lose('protocol');
    if (this.switched) this.handOver(chunk.subarray(result));
  }

  handleEnd(): void {
    // A close-delimited body ends here; anything else still pending was cut short.
    if (this.user !== undefined && !this.closed) {
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
    return user.onResponseHead(this, status, headers);
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
