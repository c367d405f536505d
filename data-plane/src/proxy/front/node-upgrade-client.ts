import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientSide, ClientSink, TakenOverSocket } from './client-side.js';
import { buildResponseHead, Framing, type HeadDecision } from './response-head.js';

/**
 * An upgrade request of the node:http front (its 'upgrade' event hands over the raw socket) as
 * a `ClientSide`, so it runs the same pipeline as every request. Any answer but 101 is written
 * close-delimited and ends the connection; after a 101 the socket goes to the tunnel.
 */
export class NodeUpgradeClient implements ClientSide, HeadDecision {
  readonly method: string;
  readonly url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  readonly socket: Socket;
  path: string;
  query = '';
  host: string | undefined;
  readonly http2 = false;
  readonly grpc = false;
  readonly http11: boolean;
  readonly upgrade: string;
  framing: Framing = Framing.None;
  keepAlive = false;
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  private sink: ClientSink | undefined = undefined;
  private reported = false;

  constructor(
    req: IncomingMessage,
    socket: Socket,
    private readonly pending: Buffer,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    this.headers = req.headers;
    this.rawHeaders = req.rawHeaders;
    this.socket = socket;
    this.path = this.url;
    this.host = req.headers.host;
    this.http11 = req.httpVersionMinor >= 1;
    this.upgrade = req.headers.upgrade ?? '';
    socket.on('close', () => this.report());
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  attach(sink: ClientSink): void {
    this.sink = sink;
  }

  /** An upgrade request carries no body (a front refuses one that does). */
  readBody(): void {
    this.sink?.onRequestEnd();
  }
  pauseBody(): void {}
  resumeBody(): void {}
  limitBody(): void {}

  writeHead(status: number, headers: string[]): void {
    this.statusCode = status;
    this.headersSent = true;
    // HTTP/1.0 framing: the body ends with the connection, which ends anyway after an answer that is not a switch.
    this.socket.write(buildResponseHead(status, headers, this.method === 'HEAD', false, this), 'latin1');
  }

  write(chunk: Buffer): boolean {
    if (this.framing === Framing.None) return true;
    return this.socket.write(chunk);
  }

  addTrailers(): void {}

  end(body?: Buffer): void {
    if (!this.headersSent) this.writeHead(this.statusCode, []);
    if (body !== undefined && this.framing !== Framing.None) this.socket.write(body);
    this.writableFinished = true;
    this.socket.end();
    this.report();
  }

  destroy(): void {
    this.socket.destroy();
  }

  takeOver(): TakenOverSocket | undefined {
    if (this.socket.destroyed) return undefined;
    this.writableFinished = true;
    this.reported = true;
    return { socket: this.socket, pending: this.pending };
  }

  private report(): void {
    if (this.reported) return;
    this.reported = true;
    this.sink?.onClientClosed();
  }
}
