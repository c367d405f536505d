import type { Socket } from 'node:net';
import type { NodeRef } from '../balancer/types.js';
import type { RequestHead } from './front/client-side.js';
import type { OutgoingRequest } from './upstream-request-head.js';
import type { UpstreamSettings } from './upstream-settings.js';

/** Why a leg failed before its response ended. */
export type LegLoss = 'connect' | 'reset' | 'protocol';

/** What an attempt on a leg reports to the exchange that runs it. */
export interface LegUser {
  onConnected(leg: UpstreamLeg): void;
  /** Return 1 to tell the parser the response has no body (HEAD), else 0. */
  onResponseHead(leg: UpstreamLeg, status: number, rawHeaders: string[]): number;
  onResponseBody(leg: UpstreamLeg, chunk: Buffer): void;
  /** Trailer fields after the body (HTTP/2 upstreams: gRPC statuses). */
  onResponseTrailers(leg: UpstreamLeg, trailers: Record<string, string>): void;
  onResponseEnd(leg: UpstreamLeg): void;
  /** The upstream answered 101 to an upgrade: its socket now speaks the new protocol; `rest` arrived after the head. */
  onSwitched(leg: UpstreamLeg, socket: Socket, rest: Buffer): void;
  /** The connection or stream failed (or the response was invalid) before the response ended. */
  onConnectionLost(leg: UpstreamLeg, reason: LegLoss): void;
  /** The request body may flow again after `writeBody` returned false. */
  onWritable(leg: UpstreamLeg): void;
}

/** The request an attempt sends, as a leg needs it (the exchange caches what it can). */
export interface LegRequest {
  readonly client: RequestHead;
  readonly outgoing: OutgoingRequest;
  readonly settings: UpstreamSettings;
  /** The Host (HTTP/1.1) or `:authority` (HTTP/2) for this node. */
  hostFor(node: NodeRef): string;
  /** The whole HTTP/1.1 head for this node (cached across attempts when it does not depend on the node). */
  h1HeadFor(node: NodeRef): string;
}

/**
 * How one attempt reaches a node: a pooled HTTP/1.1 connection (`UpstreamConnection`) or a
 * stream of the node's shared HTTP/2 session (`H2StreamLeg`). The exchange runs every attempt
 * the same way through this interface — select, connect, send, stream, retry, report — so
 * protocols differ only in how bytes are carried.
 */
export interface UpstreamLeg {
  user: LegUser | undefined;
  readonly connected: boolean;
  /** An idle keep-alive connection taken from the pool (a reset on it may be retried at once). */
  readonly reused: boolean;
  /** A byte of the current response arrived. */
  readonly receivedBytes: boolean;
  /** Writes the request head (the body follows with writeBody). */
  sendHead(request: LegRequest, node: NodeRef): void;
  /** false: wait for `onWritable`. */
  writeBody(chunk: Buffer): boolean;
  endBody(): void;
  pauseResponse(): void;
  resumeResponse(): void;
  /** The exchange is done with the leg: `reusable` when request and response both completed in step. */
  release(reusable: boolean, settings: UpstreamSettings): void;
}
