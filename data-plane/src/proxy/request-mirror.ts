import type { Socket } from 'node:net';
import client from 'prom-client';
import type { NodeRef, PickContext, UpstreamRuntime } from '../balancer/types.js';
import type { CompiledBackend } from '../compile/types.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import type { RequestMirrorTarget } from '../plugins/request-mirror.js';
import type { UpstreamConnection } from './upstream-connection.js';
import type { LegLoss, LegRequest, LegUser, UpstreamLeg } from './upstream-leg.js';
import type { NodePool, UpstreamPools } from './upstream-pools.js';
import { h1RequestHead, upstreamHost } from './upstream-request-head.js';
import { upstreamSettings, type UpstreamSettings } from './upstream-settings.js';
/**
 * Bytes a mirror socket may hold unsent before the mirror is abandoned. Larger than the
 * socket's high-water mark so a healthy mirror keeps up with big chunks, small enough that a
 * stalled mirror costs little memory per request.
 */
const MIRROR_BUFFER_LIMIT = 256 * 1024;

/** How a mirrored request ended, as counted in `sluice_mirror_requests_total{outcome}`. */
export type MirrorOutcome = 'mirrored' | 'failed' | 'timeout' | 'abandoned' | 'skipped';

const METRIC = 'sluice_mirror_requests_total';
const mirrorCounter =
  (client.register.getSingleMetric(METRIC) as client.Counter<'outcome'> | undefined) ??
  new client.Counter({
    name: METRIC,
    help: 'Mirrored requests (request-mirror) by outcome: mirrored, failed, timeout, abandoned (too slow or too large mid-way), skipped (no node, body too large)',
    labelNames: ['outcome'] as const,
  });
const counted: Record<MirrorOutcome, client.Counter.Internal> = {
  mirrored: mirrorCounter.labels('mirrored'),
  failed: mirrorCounter.labels('failed'),
  timeout: mirrorCounter.labels('timeout'),
  abandoned: mirrorCounter.labels('abandoned'),
  skipped: mirrorCounter.labels('skipped'),
};

/** Where the request being mirrored comes from. */
export interface MirrorSource {
  /** The real request: the same forwarded head goes to the mirror (its Host per the mirror upstream). */
  request: Pick<LegRequest, 'client' | 'outgoing'>;
  /** The real exchange, for the mirror upstream's balancer. */
  pick: PickContext;
  plugins: PluginContext;
  pluginBackends: ReadonlyMap<string, CompiledBackend>;
}

/** The copies of one request, as the real exchange feeds them its body. */
export interface RequestMirror {
  /** A chunk of the request body, as it goes to the real upstream. */
  write(chunk: Buffer): void;
  /** The request body is complete. */
  end(): void;
  /** The client went away before its body was complete: the mirror requests cannot be finished. */
  abandon(): void;
}

/**
 * Starts mirroring the request to the targets `plugins.mirrors` names: for each, a pooled
 * connection to a node of the mirror upstream, the same request head, the body as the exchange
 * passes it on. Undefined when nothing is mirrored (no node, or a Content-Length beyond maxBodySize).
 */
export function startRequestMirror(pools: UpstreamPools, source: MirrorSource): RequestMirror | undefined {
  const targets = source.plugins.mirrors!;
  if (targets.length === 1) return startOne(pools, source, targets[0]);
  const started: MirroredRequest[] = [];
  for (const target of targets) {
    const one = startOne(pools, source, target);
    if (one !== undefined) started.push(one);
  }
  return started.length === 0 ? undefined : started.length === 1 ? started[0] : new MirrorFanOut(started);
}

function startOne(pools: UpstreamPools, source: MirrorSource, target: RequestMirrorTarget): MirroredRequest | undefined {
  const { client, outgoing } = source.request;
  const length = client.headers['content-length'];
  const backend = source.pluginBackends.get(target.upstreamId);
  const selection = length !== undefined && Number(length) > target.maxBodySize ? undefined : backend?.runtime.select(source.pick, []);
  if (selection === undefined) {
    counted.skipped.inc();
    return undefined;
  }
  const settings = upstreamSettings(backend!.upstream);
  let head = h1RequestHead(client, outgoing, upstreamHost(outgoing, selection.node, settings, undefined));
  if (target.path !== undefined) head = withPath(head, target.path);
  return new MirroredRequest(
    pools.pool(selection.node, settings),
    settings,
    backend!.runtime,
    selection.node,
    target,
    head,
    outgoing.method === 'HEAD',
    outgoing.framing === 'chunked',
  );
}

/** Several mirrors of one request (several RequestMirror filters): each one lives and fails alone. */
class MirrorFanOut implements RequestMirror {
  constructor(private readonly mirrors: readonly MirroredRequest[]) {}

  write(chunk: Buffer): void {
    for (const m of this.mirrors) m.write(chunk);
  }

  end(): void {
    for (const m of this.mirrors) m.end();
  }

  abandon(): void {
    for (const m of this.mirrors) m.abandon();
  }
}

/** The request line's path replaced, its query kept. */
function withPath(head: string, path: string): string {
  const methodEnd = head.indexOf(' ');
  const targetEnd = head.indexOf(' HTTP/1.1\r\n');
  const query = head.indexOf('?', methodEnd);
  return head.slice(0, methodEnd + 1) + path + (query >= 0 && query < targetEnd ? head.slice(query, targetEnd) : '') + head.slice(targetEnd);
}

/**
 * One mirrored request: it copies what the real exchange sends and discards what the mirror
 * answers. It never pushes back on the real request: a mirror that cannot keep up, sends
 * garbage, fails or times out is dropped and counted, nothing more.
 */
export class MirroredRequest implements LegUser, RequestMirror {
  private conn: UpstreamConnection | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private bodyBytes = 0;
  private bodyEnded = false;
  /** The attempt's outcome went to the mirror upstream's runtime (balancer, passive health). */
  private reported = false;

  constructor(
    pool: NodePool,
    private readonly settings: UpstreamSettings,
    private readonly runtime: UpstreamRuntime,
    private readonly node: NodeRef,
    private readonly target: RequestMirrorTarget,
    head: string,
    private readonly headRequest: boolean,
    chunked: boolean,
  ) {
    runtime.onAttemptStart(node);
    const conn = pool.acquire();
    this.conn = conn;
    conn.user = this;
    conn.writeHead(head, chunked);
    this.timer = setTimeout(onMirrorTimer, target.timeoutMs, this);
    this.timer.unref();
  }

  /** A chunk of the request body, as it goes to the real upstream. */
  write(chunk: Buffer): void {
    const conn = this.conn;
    if (conn === undefined || this.bodyEnded) return;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.target.maxBodySize || conn.socket.writableLength + chunk.length > MIRROR_BUFFER_LIMIT) {
      this.finish('abandoned', undefined);
      return;
    }
    conn.writeBody(chunk);
  }

  /** The request body is complete. */
  end(): void {
    const conn = this.conn;
    if (conn === undefined || this.bodyEnded) return;
    this.bodyEnded = true;
    conn.endBody();
  }

  /** The client went away before its body was complete: the mirror request cannot be finished. */
  abandon(): void {
    if (this.conn !== undefined && !this.bodyEnded) this.finish('abandoned', undefined);
  }

  onConnected(): void {
    // The head was queued on the socket already.
  }

  onWritable(): void {
    // Never waited for: a mirror that falls behind is abandoned in write().
  }

  onResponseHead(_leg: UpstreamLeg, status: number): number {
    this.report(status, undefined);
    return this.headRequest ? 1 : 0;
  }

  onResponseBody(): void {
    // Read and dropped.
  }

  onResponseTrailers(): void {
    // Dropped with the body.
  }

  onSwitched(_leg: UpstreamLeg, socket: Socket): void {
    // A mirror never asks to switch protocols; an upstream that does anyway is hung up on.
    socket.destroy();
    this.conn = undefined;
    clearTimeout(this.timer);
    counted.failed.inc();
  }

  onResponseEnd(leg: UpstreamLeg): void {
    this.conn = undefined;
    clearTimeout(this.timer);
    // An answer before the whole body went out leaves the connection out of step.
    leg.release(this.bodyEnded, this.settings);
    counted.mirrored.inc();
  }

  onConnectionLost(leg: UpstreamLeg, reason: LegLoss): void {
    this.conn = undefined;
    clearTimeout(this.timer);
    leg.release(false, this.settings);
    this.report(undefined, reason);
    counted.failed.inc();
  }

  onTimer(): void {
    if (this.conn === undefined) return;
    this.finish('timeout', 'timeout');
  }

  private finish(outcome: MirrorOutcome, error: 'timeout' | undefined): void {
    const conn = this.conn!;
    this.conn = undefined;
    clearTimeout(this.timer);
    // A reset: a mirror that stopped reading must not keep the socket (and what is queued on it) alive.
    conn.owner.discard(conn, true);
    this.report(undefined, error);
    counted[outcome].inc();
  }

  private report(status: number | undefined, error: 'connect' | 'timeout' | 'reset' | 'protocol' | undefined): void {
    if (this.reported) return;
    this.reported = true;
    const latencyMs = performance.now() - this.startedAt;
    this.runtime.onAttemptEnd(this.node, status !== undefined ? { status, latencyMs } : error !== undefined ? { error, latencyMs } : { latencyMs });
  }
}

function onMirrorTimer(mirror: MirroredRequest): void {
  mirror.onTimer();
}
