import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientSide, ClientSink, TakenOverSocket } from './client-side.js';
import { BodyChunk, BodyMeter } from './body-meter.js';

type ClientCarrier = { sluiceClient?: NodeClient };

/** What a node:http request looks like to the pipeline before normalization. */
export interface NodeRequestHead {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  socket: Socket;
}

/**
 * `ClientSide` over node:http's request and response (the `GATEWAY_FRONT=node` fallback). The
 * body is counted as it streams, so `limitBody` holds for bodies without a length; `Expect: 100-continue` is answered when the body is first read.
 */
export class NodeClient implements ClientSide {
  readonly method: string;
  readonly url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  readonly socket: Socket;
  path: string;
  query = '';
  host: string | undefined;
  readonly http2: boolean = false;
  readonly http11: boolean;
  readonly upgrade: string | undefined = undefined;
  private sink: ClientSink | undefined = undefined;
  private readonly body = new BodyMeter();

  constructor(
    protected readonly req: IncomingMessage,
    protected readonly res: ServerResponse,
    /** The request as the proxy sees it. */
    head: NodeRequestHead = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, socket: req.socket },
    /** node:http held back `100 Continue` (its 'checkContinue' event): it is sent when the body is read. */
    private expectContinue = false,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.socket = head.socket;
    this.path = head.url;
    this.host = head.headers.host;
    this.http11 = req.httpVersionMajor !== 1 || req.httpVersionMinor >= 1;
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }
  get destroyed(): boolean {
    return this.res.destroyed;
  }
  get writableFinished(): boolean {
    return this.res.writableFinished;
  }
  /** node:http carries no gRPC (HTTP/2 only). */
  get grpc(): boolean {
    return false;
  }
  get statusCode(): number {
    return this.res.statusCode;
  }

  attach(sink: ClientSink): void {
    this.sink = sink;
    (this.req as ClientCarrier).sluiceClient = this;
    (this.res as ClientCarrier).sluiceClient = this;
    this.res.on('close', onResClose);
  }

  readBody(): void {
    if (this.expectContinue) {
      this.expectContinue = false;
      if (!this.req.complete) this.res.writeContinue();
    }
    this.req.on('data', onReqData);
    this.req.on('end', onReqEnd);
  }

  pauseBody(): void {
    this.req.pause();
  }

  resumeBody(): void {
    this.req.resume();
  }

  limitBody(maxBytes: number): void {
    this.body.setLimit(maxBytes);
  }

  onData(chunk: Buffer): void {
    const verdict = this.body.count(chunk.length);
    if (verdict === BodyChunk.Pass) this.sink!.onRequestBody(chunk);
    else if (verdict === BodyChunk.Crossed) {
      // The rest of the body is never read: the connection (or stream) ends with the answer.
      this.res.shouldKeepAlive = false;
      this.sink!.onRequestBodyTooLarge();
    }
  }

  onEnd(): void {
    if (!this.body.refused) this.sink!.onRequestEnd();
  }

  writeHead(status: number, headers: string[]): void {
    // Answered without reading a body it never asked for: the connection cannot be trusted to be in step.
    if (this.expectContinue && !this.req.complete) this.res.shouldKeepAlive = false;
    this.res.writeHead(status, headers);
  }

  write(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', onResDrain);
    return false;
  }

  /** node:http sends trailers only on chunked responses; the gateway's HTTP/1.1 answers need none. */
  addTrailers(_trailers: Record<string, string>): void {}

  end(body?: Buffer): void {
    this.res.end(body);
  }

  destroy(): void {
    this.res.destroy();
  }

  /** node:http delivers upgrades through its own event (see NodeUpgradeClient). */
  takeOver(): TakenOverSocket | undefined {
    return undefined;
  }

  clientDrained(): void {
    this.sink!.onClientDrain();
  }

  clientClosed(): void {
    this.sink!.onClientClosed();
  }
}

function onReqData(this: ClientCarrier, chunk: Buffer): void {
  this.sluiceClient!.onData(chunk);
}
function onReqEnd(this: ClientCarrier): void {
  this.sluiceClient!.onEnd();
}
function onResDrain(this: ClientCarrier): void {
  this.sluiceClient!.clientDrained();
}
function onResClose(this: ClientCarrier): void {
  this.sluiceClient!.clientClosed();
}
