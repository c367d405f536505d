import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientSide, ClientSink, RequestHead } from './client-side.js';

type SinkCarrier = { sluiceSink?: ClientSink };

/** `ClientSide` over node:http's request and response (the `front: 'node'` fallback). */
export class NodeClient implements ClientSide {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly socket: Socket;

  constructor(
    protected readonly req: IncomingMessage,
    protected readonly res: ServerResponse,
    /** The request as the proxy sees it; HTTP/2 passes one without pseudo-headers. */
    head: RequestHead = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, socket: req.socket },
  ) {
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.socket = head.socket;
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
  get statusCode(): number {
    return this.res.statusCode;
  }

  attach(sink: ClientSink): void {
    (this.req as SinkCarrier).sluiceSink = sink;
    (this.res as SinkCarrier).sluiceSink = sink;
    this.res.on('close', onResClose);
  }

  readBody(): void {
    this.req.on('data', onReqData);
    this.req.on('end', onReqEnd);
  }

  pauseBody(): void {
    this.req.pause();
  }

  resumeBody(): void {
    this.req.resume();
  }

  writeHead(status: number, headers: string[]): void {
    this.res.writeHead(status, headers);
  }

  write(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', onResDrain);
    return false;
  }

  end(body?: Buffer): void {
    this.res.end(body);
  }

  destroy(): void {
    this.res.destroy();
  }
}

function onReqData(this: SinkCarrier, chunk: Buffer): void {
  this.sluiceSink!.onRequestBody(chunk);
}
function onReqEnd(this: SinkCarrier): void {
  this.sluiceSink!.onRequestEnd();
}
function onResDrain(this: SinkCarrier): void {
  this.sluiceSink!.onClientDrain();
}
function onResClose(this: SinkCarrier): void {
  this.sluiceSink!.onClientClosed();
}
