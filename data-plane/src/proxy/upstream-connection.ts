import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

/** Node's own llhttp binding, as node:http uses it: strict parsing, no JS parser. */
interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenientFlags?: number): void;
  execute(data: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [key: number]: unknown;
  conn?: UpstreamConnection;
}
interface LlhttpParserClass {
  new (): LlhttpParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: LlhttpParserClass };

/** The side of one exchange that a connection reports to (the proxy exchange). */
export interface ConnectionUser {
  onConnected(conn: UpstreamConnection): void;
  /** Return 1 to tell the parser the response has no body (HEAD), else 0. */
  onResponseHead(conn: UpstreamConnection, status: number, rawHeaders: string[], keepAlive: boolean): number;
  onResponseBody(conn: UpstreamConnection, chunk: Buffer): void;
  onResponseEnd(conn: UpstreamConnection): void;
  /** The socket closed (or the response was invalid) before the response ended. */
  onConnectionLost(conn: UpstreamConnection, reason: 'connect' | 'reset' | 'protocol'): void;
  /** The socket's write buffer drained. */
  onWritable(conn: UpstreamConnection): void;
}

/** What a connection needs of the pool that owns it. */
export interface ConnectionOwner {
  forget(conn: UpstreamConnection): void;
}

type OwnedSocket = net.Socket & { sluiceConn?: UpstreamConnection };

/**
 * One upstream HTTP/1.1 connection: a socket plus its response parser, serving one exchange
 * at a time. Listeners are module-level functions that find the connection through the socket
 * or parser, so neither a connection nor a request allocates closures.
 */
export class UpstreamConnection {
  readonly socket: OwnedSocket;
  readonly parser: LlhttpParser;
  user: ConnectionUser | undefined = undefined;
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
  private informational = false;
  private partialHeaders: string[] = [];

  constructor(
    readonly owner: ConnectionOwner,
    host: string,
    port: number,
    tlsOptions: tls.ConnectionOptions | undefined,
    servername: string | undefined,
  ) {
    const socket: OwnedSocket = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port, servername })
      : net.connect({ host, port, noDelay: true });
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

    const parser = new HTTPParser();
    parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
    parser.conn = this;
    parser[HTTPParser.kOnHeaders] = onParserHeaders;
    parser[HTTPParser.kOnHeadersComplete] = onParserHeadersComplete;
    parser[HTTPParser.kOnBody] = onParserBody;
    parser[HTTPParser.kOnMessageComplete] = onParserMessageComplete;
    this.parser = parser;
  }

  /** Detaches the user and closes the socket; nothing is reported. */
  destroy(): void {
    this.user = undefined;
    this.keepAlive = false;
    this.socket.destroy();
  }

  handleData(chunk: Buffer): void {
    if (this.user === undefined) {
      // Bytes on an idle connection: the server is out of step with us; never reuse it.
      this.destroy();
      return;
    }
    this.receivedBytes = true;
    const result = this.parser.execute(chunk);
    if (typeof result !== 'number') this.lose('protocol');
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
      // 100 Continue and other interim responses: Node's server already told the client to go on.
      this.informational = true;
      return 1;
    }
    this.keepAlive = keepAlive;
    const user = this.user;
    return user === undefined ? 1 : user.onResponseHead(this, status, headers, keepAlive);
  }

  body(chunk: Buffer): void {
    if (!this.informational) this.user?.onResponseBody(this, chunk);
  }

  messageComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    this.user?.onResponseEnd(this);
  }

  addPartialHeaders(headers: string[]): void {
    for (let i = 0; i < headers.length; i++) this.partialHeaders.push(headers[i]);
  }

  private lose(reason: 'connect' | 'reset' | 'protocol'): void {
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
function onParserHeaders(this: LlhttpParser, headers: string[]): void {
  this.conn!.addPartialHeaders(headers);
}
function onParserHeadersComplete(
  this: LlhttpParser,
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
function onParserBody(this: LlhttpParser, chunk: Buffer): void {
  this.conn!.body(chunk);
}
function onParserMessageComplete(this: LlhttpParser): void {
  this.conn!.messageComplete();
}
