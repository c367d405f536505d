import type net from 'node:net';

/** What a tunnel needs from the proxy that opened it. */
export interface TunnelHost {
  tunnelClosed(tunnel: Tunnel): void;
  /** Set while the worker drains: a tunnel closed then says "going away" (1001) to both sides. */
  readonly draining: boolean;
}

/** WebSocket close frames with status 1001 (going away): unmasked to the client, masked (zero key) to the upstream. */
const GOING_AWAY_TO_CLIENT = Buffer.from([0x88, 0x02, 0x03, 0xe9]);
const GOING_AWAY_TO_UPSTREAM = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]);

type TunnelSocket = net.Socket & { sluiceTunnel?: Tunnel };

/**
 * A connection after the upstream switched protocols (101): bytes piped raw both ways with
 * back-pressure, so every WebSocket frame, ping and pong passes untouched. It exists only once
 * the upgrade went through the whole request pipeline and the upstream's answer was parsed as
 * 101. Closes both sides after `idleMs` without a byte in either direction, and says "going
 * away" to both on drain.
 */
export class Tunnel {
  private closed = false;
  /** Idle detection without per-message work: compare byte counters on a coarse timer. */
  private readonly idleTimer: NodeJS.Timeout;
  private lastBytes = 0;
  private lastActiveAt = performance.now();

  constructor(
    private readonly host: TunnelHost,
    private readonly client: TunnelSocket,
    private readonly upstream: TunnelSocket,
    private readonly idleMs: number,
    /** Sent by the client after its request head, before the switch. */
    clientPending: Buffer,
    /** Sent by the upstream after its 101 head, in the same read. */
    upstreamPending: Buffer,
  ) {
    client.sluiceTunnel = this;
    upstream.sluiceTunnel = this;
    client.on('error', ignoreError);
    upstream.on('error', ignoreError);
    client.on('close', onClientClose);
    upstream.on('close', onUpstreamClose);
    upstream.setNoDelay(true);
    upstream.setTimeout(0);
    client.setTimeout(0);
    if (upstreamPending.length > 0) client.write(upstreamPending);
    if (clientPending.length > 0) upstream.write(clientPending);
    upstream.pipe(client);
    client.pipe(upstream);
    if (client.isPaused()) client.resume();
    // Socket timeouts would re-arm a timer on every read and write of every frame; instead a
    // timer firing every quarter of the idle time compares the sockets' byte counters, which
    // Node keeps anyway. A quiet tunnel closes between 1× and 1.25× the idle timeout.
    this.lastBytes = this.bytesMoved();
    this.idleTimer = setTimeout(onIdleCheck, Math.max(50, Math.floor(idleMs / 4)), this);
    this.idleTimer.unref();
  }

  private bytesMoved(): number {
    const c = this.client;
    const u = this.upstream;
    return c.bytesRead + c.bytesWritten + u.bytesRead + u.bytesWritten;
  }

  checkIdle(): void {
    if (this.closed) return;
    const bytes = this.bytesMoved();
    const now = performance.now();
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastActiveAt = now;
    } else if (now - this.lastActiveAt >= this.idleMs) {
      this.close();
      return;
    }
    this.idleTimer.refresh();
  }

  upstreamClosed(): void {
    if (this.closed) return;
    // Let what the upstream sent last (e.g. a close frame) reach the client first.
    this.client.destroySoon();
    this.finish();
  }

  clientClosed(): void {
    if (this.closed) return;
    this.upstream.destroySoon();
    this.finish();
  }

  /** Ends both sides now (idle timeout or drain). */
  close(): void {
    if (this.closed) return;
    if (this.host.draining) this.sayGoingAway();
    else {
      this.upstream.destroy();
      this.client.destroy();
    }
    this.finish();
  }

  /**
   * Drain: both peers get a close frame 1001, so clients reconnect at once instead of seeing
   * an abnormal 1006. The bytes are piped raw, so a frame cut mid-way is possible when a
   * message is in flight at that instant; the grace period makes that the rare case.
   */
  private sayGoingAway(): void {
    const { client, upstream } = this;
    upstream.unpipe(client);
    client.unpipe(upstream);
    client.end(GOING_AWAY_TO_CLIENT);
    upstream.end(GOING_AWAY_TO_UPSTREAM);
    // A peer that does not read must not hold the socket open.
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, 1000).unref();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.host.tunnelClosed(this);
  }
}

function onIdleCheck(tunnel: Tunnel): void {
  tunnel.checkIdle();
}
function ignoreError(): void {
  // 'close' follows and decides.
}
function onClientClose(this: TunnelSocket): void {
  this.sluiceTunnel!.clientClosed();
}
function onUpstreamClose(this: TunnelSocket): void {
  this.sluiceTunnel!.upstreamClosed();
}
