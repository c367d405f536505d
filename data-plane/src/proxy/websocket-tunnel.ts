import { clientAddress } from './client-address.js';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { NodeRef } from '../balancer/types.js';
import type { CompiledBackend, CompiledRoute } from '../compile/types.js';
import { errorResponses, type ProxyErrorCode } from './error-responses.js';
import type { RequestHead } from './front/client-side.js';
import { buildRequestHead } from './request-head.js';
import { serverNameFor, type UpstreamSettings } from './upstream-settings.js';

/** What a tunnel needs from the proxy that opened it. */
export interface TunnelHost {
  tunnelClosed(tunnel: WebSocketTunnel): void;
  /** Set while the worker drains: a tunnel closed then says "going away" (1001) to both sides. */
  readonly draining?: boolean;
}

/** WebSocket close frames with status 1001 (going away): unmasked to the client, masked (zero key) to the upstream. */
const GOING_AWAY_TO_CLIENT = Buffer.from([0x88, 0x02, 0x03, 0xe9]);
const GOING_AWAY_TO_UPSTREAM = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]);

type TunnelSocket = (net.Socket | Duplex) & { sluiceTunnel?: WebSocketTunnel };

/**
 * An upgraded (WebSocket) connection: the handshake goes to a node exactly as received
 * (plus forwarding headers), then bytes are piped raw both ways, so the 101 response and
 * every frame, ping and pong pass untouched. Closes both sides after `upgradeIdleMs` without
 * a byte in either direction.
 */
export class WebSocketTunnel {
  readonly remoteAddress: string;
  readonly headers: IncomingMessage['headers'];
  readonly url: string;
  private readonly tried: NodeRef[] = [];
  private retriesLeft: number;
  private upstream: TunnelSocket | undefined = undefined;
  private node: NodeRef | undefined = undefined;
  private attemptStartedAt = 0;
  private piping = false;
  private reported = false;
  private closed = false;
  /** Idle detection without per-message work: compare byte counters on a coarse timer. */
  private idleTimer: NodeJS.Timeout | undefined = undefined;
  private idleStepMs = 0;
  private lastBytes = 0;
  private lastActiveAt = 0;

  constructor(
    private readonly host: TunnelHost,
    private readonly req: RequestHead,
    private readonly client: TunnelSocket,
    private readonly head: Buffer,
    private readonly route: CompiledRoute,
    private readonly backend: CompiledBackend,
    private readonly settings: UpstreamSettings,
  ) {
    this.remoteAddress = clientAddress(req.socket.remoteAddress);
    this.headers = req.headers;
    this.url = req.url ?? '/';
    this.retriesLeft = settings.retries;
    client.sluiceTunnel = this;
    client.on('error', onTunnelSocketError);
    client.on('close', onClientClose);
  }

  start(): void {
    const selection = this.backend.runtime.select(this, this.tried);
    if (selection === undefined) {
      this.refuse(this.tried.length === 0 ? 'GW_ERR_UPSTREAM_UNAVAILABLE' : 'GW_ERR_UPSTREAM_CONNECT');
      return;
    }
    const node = selection.node;
    this.node = node;
    this.tried.push(node);
    this.reported = false;
    this.backend.runtime.onAttemptStart(node);
    this.attemptStartedAt = performance.now();
    const s = this.settings;
    const upstream: TunnelSocket = s.tls
      ? tls.connect({ ...s.tls, ALPNProtocols: undefined, host: node.host, port: node.port, servername: serverNameFor(s, node.host) })
      : net.connect({ host: node.host, port: node.port, noDelay: true });
    upstream.sluiceTunnel = this;
    this.upstream = upstream;
    upstream.on(s.tls ? 'secureConnect' : 'connect', onUpstreamConnect);
    upstream.on('error', onTunnelSocketError);
    upstream.on('close', onUpstreamClose);
    upstream.on('timeout', onTunnelTimeout);
    (upstream as net.Socket).setTimeout(this.route.timeouts.connectMs);
  }

  connected(): void {
    const upstream = this.upstream as net.Socket;
    const client = this.client as net.Socket;
    upstream.setNoDelay(true);
    upstream.write(buildRequestHead(this.req, this.node!, this.settings, true, ''), 'latin1');
    if (this.head.length > 0) upstream.write(this.head);
    this.piping = true;
    upstream.once('data', onFirstUpstreamData);
    // Socket timeouts would re-arm a timer on every read and write of every frame; instead a
    // timer firing every quarter of the idle time compares the sockets' byte counters, which
    // Node keeps anyway. A quiet tunnel closes between 1× and 1.25× the idle timeout.
    upstream.setTimeout(0);
    const idle = this.route.timeouts.upgradeIdleMs;
    this.idleStepMs = Math.max(50, Math.floor(idle / 4));
    this.lastBytes = this.bytesMoved();
    this.lastActiveAt = performance.now();
    this.idleTimer = setTimeout(onIdleCheck, this.idleStepMs, this);
    this.idleTimer.unref();
    upstream.pipe(client);
    client.pipe(upstream);
  }

  firstResponseBytes(chunk: Buffer): void {
    // "HTTP/1.1 101 ..." — the status is what passive health needs; the bytes pass on untouched.
    const status = Number(chunk.toString('latin1', 9, 12));
    this.report(Number.isInteger(status) && status >= 100 ? { status } : { error: 'protocol' });
  }

  upstreamClosed(): void {
    if (this.closed) return;
    if (!this.piping) {
      // Could not connect (or timed out connecting): try another node, else answer 502/504.
      const timedOut = (this.upstream as net.Socket & { timedOut?: boolean }).timedOut === true;
      this.report({ error: timedOut ? 'timeout' : 'connect' });
      const retryable = timedOut ? this.settings.retryOnTimeout : this.settings.retryOnError;
      if (retryable && this.retriesLeft > 0 && !this.client.destroyed) {
        this.retriesLeft--;
        this.start();
      } else this.refuse(timedOut ? 'GW_ERR_UPSTREAM_TIMEOUT' : 'GW_ERR_UPSTREAM_CONNECT');
      return;
    }
    if (!this.reported) this.report({ error: 'reset' });
    // Let what the upstream sent last (e.g. a close frame) reach the client first.
    (this.client as net.Socket).destroySoon();
    this.finish();
  }

  clientClosed(): void {
    if (this.closed) return;
    const upstream = this.upstream as net.Socket | undefined;
    if (upstream !== undefined) {
      if (this.piping) upstream.destroySoon();
      else upstream.destroy();
    }
    this.finish();
  }

  timedOut(): void {
    if (!this.piping) {
      (this.upstream as net.Socket & { timedOut?: boolean }).timedOut = true;
      this.upstream!.destroy();
      return;
    }
    this.close();
  }

  private bytesMoved(): number {
    const c = this.client as net.Socket;
    const u = this.upstream as net.Socket;
    return (c.bytesRead ?? 0) + (c.bytesWritten ?? 0) + u.bytesRead + u.bytesWritten;
  }

  checkIdle(): void {
    if (this.closed) return;
    const bytes = this.bytesMoved();
    const now = performance.now();
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastActiveAt = now;
    } else if (now - this.lastActiveAt >= this.route.timeouts.upgradeIdleMs) {
      this.close();
      return;
    }
    this.idleTimer!.refresh();
  }

  /** Ends both sides now (idle timeout or drain). */
  close(): void {
    if (this.host.draining && this.piping && !this.closed) this.sayGoingAway();
    else {
      this.upstream?.destroy();
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
    const client = this.client as net.Socket;
    const upstream = this.upstream as net.Socket;
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
    // Not the node's fault (the client left while connecting): an outcome without an error.
    if (!this.reported && this.node !== undefined) this.report({});
    this.host.tunnelClosed(this);
  }

  private refuse(code: ProxyErrorCode): void {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    if (!client.destroyed) {
      client.write(errorResponses[code].raw);
      (client as net.Socket).destroySoon();
    }
    this.host.tunnelClosed(this);
  }

  private report(outcome: { status?: number; error?: 'connect' | 'timeout' | 'reset' | 'protocol' }): void {
    if (this.reported) return;
    this.reported = true;
    this.backend.runtime.onAttemptEnd(this.node!, { ...outcome, latencyMs: performance.now() - this.attemptStartedAt });
  }
}

function onIdleCheck(tunnel: WebSocketTunnel): void {
  tunnel.checkIdle();
}
function onTunnelSocketError(): void {
  // 'close' follows and decides.
}
function onUpstreamConnect(this: TunnelSocket): void {
  this.sluiceTunnel!.connected();
}
function onFirstUpstreamData(this: TunnelSocket, chunk: Buffer): void {
  this.sluiceTunnel!.firstResponseBytes(chunk);
}
function onUpstreamClose(this: TunnelSocket): void {
  this.sluiceTunnel!.upstreamClosed();
}
function onClientClose(this: TunnelSocket): void {
  this.sluiceTunnel!.clientClosed();
}
function onTunnelTimeout(this: TunnelSocket): void {
  this.sluiceTunnel!.timedOut();
}
