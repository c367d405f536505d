import http2, { type ClientHttp2Stream, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { NodeRef } from '../balancer/types.js';
import type { H2UpstreamSessions } from './h2-upstream-sessions.js';
import { HOP_BY_HOP } from './hop-by-hop.js';
import type { LegRequest, LegUser, UpstreamLeg } from './upstream-leg.js';
import { h2RequestHeaders } from './upstream-request-head.js';

type LegStream = ClientHttp2Stream & { sluiceLeg?: H2StreamLeg };

/**
 * One attempt as a stream of the node's shared HTTP/2 session (`scheme: h2c | h2 | grpc |
 * grpcs`): the same `UpstreamLeg` as an HTTP/1.1 connection, so the exchange's attempts,
 * retries, timeouts and health reports are the same; only the carrying differs. Trailers
 * (gRPC's grpc-status and metadata) are passed on; the session outlives the stream.
 */
export class H2StreamLeg implements UpstreamLeg {
  user: LegUser | undefined = undefined;
  /** The session connects on its own; a stream is written at once and queued meanwhile. */
  readonly connected = true;
  readonly reused = false;
  receivedBytes = false;
  private stream: LegStream | undefined = undefined;
  private responded = false;
  private ended = false;

  constructor(
    private readonly sessions: H2UpstreamSessions,
    private readonly node: NodeRef,
  ) {}

  sendHead(request: LegRequest, node: NodeRef): void {
    const out = request.outgoing;
    let stream: LegStream;
    try {
      const session = this.sessions.session(this.node, request.settings);
      stream = session.request(h2RequestHeaders(request.client, out, request.hostFor(node), request.settings), { endStream: out.framing === 'none' });
    } catch {
      // A session already closing: the attempt fails like a refused connection.
      setImmediate(() => this.lost('connect'));
      return;
    }
    this.stream = stream;
    stream.sluiceLeg = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('end', onStreamEnd);
    stream.on('drain', onStreamDrain);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
  }

  writeBody(chunk: Buffer): boolean {
    const stream = this.stream;
    return stream === undefined || stream.destroyed ? true : stream.write(chunk);
  }

  endBody(): void {
    const stream = this.stream;
    if (stream !== undefined && !stream.destroyed && !stream.writableEnded) stream.end();
  }

  pauseResponse(): void {
    this.stream?.pause();
  }

  resumeResponse(): void {
    this.stream?.resume();
  }

  release(): void {
    const stream = this.stream;
    this.user = undefined;
    // A stream given up before its end is cancelled; the session and its other streams go on.
    if (stream !== undefined && !this.ended && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  // --- stream events ---

  response(headers: H2Headers): void {
    this.responded = true;
    this.receivedBytes = true;
    const flat: string[] = [];
    for (const name in headers) {
      if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(name)) continue;
      const value = headers[name];
      if (Array.isArray(value)) for (const v of value) flat.push(name, v);
      else if (value !== undefined) flat.push(name, String(value));
    }
    this.user?.onResponseHead(this, Number(headers[':status']), flat);
  }

  data(chunk: Buffer): void {
    this.user?.onResponseBody(this, chunk);
  }

  trailers(headers: H2Headers): void {
    const out: Record<string, string> = {};
    for (const name in headers) {
      if (name.charCodeAt(0) === 58 || HOP_BY_HOP.has(name)) continue;
      const value = headers[name];
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    this.user?.onResponseTrailers(this, out);
  }

  end(): void {
    if (!this.responded) return this.lost('reset');
    this.ended = true;
    const user = this.user;
    this.user = undefined;
    user?.onResponseEnd(this);
  }

  drain(): void {
    this.user?.onWritable(this);
  }

  /** The stream failed or closed before it ended well. */
  lost(reason: 'connect' | 'reset'): void {
    if (this.ended) return;
    this.ended = true;
    const user = this.user;
    this.user = undefined;
    user?.onConnectionLost(this, this.responded ? 'reset' : reason);
  }
}

function onStreamResponse(this: LegStream, headers: H2Headers): void {
  this.sluiceLeg!.response(headers);
}
function onStreamData(this: LegStream, chunk: Buffer): void {
  this.sluiceLeg!.data(chunk);
}
function onStreamTrailers(this: LegStream, headers: H2Headers): void {
  this.sluiceLeg!.trailers(headers);
}
function onStreamEnd(this: LegStream): void {
  this.sluiceLeg!.end();
}
function onStreamDrain(this: LegStream): void {
  this.sluiceLeg!.drain();
}
function onStreamError(this: LegStream): void {
  // A refused stream before any answer is a failed attempt (another node may be tried).
  this.sluiceLeg!.lost('connect');
}
function onStreamClose(this: LegStream): void {
  this.sluiceLeg!.lost('reset');
}
