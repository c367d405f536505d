import type { NodeRef } from '../balancer/types.js';
import { UpstreamConnection, type ConnectionOwner } from './upstream-connection.js';
import { serverNameFor, type UpstreamSettings } from './upstream-settings.js';

/** Idle keep-alive connections to one node (host:port, plus TLS settings for https). */
export class NodePool implements ConnectionOwner {
  /** Most recently used last: reuse is LIFO, so the warmest socket serves and cold ones expire. */
  readonly idle: UpstreamConnection[] = [];
  /** Connections of this pool currently serving an exchange. */
  busy = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly settings: UpstreamSettings,
  ) {}

  /** An idle connection, or a new one (not yet connected). */
  acquire(): UpstreamConnection {
    for (;;) {
      const conn = this.idle.pop();
      if (conn === undefined) return this.connect();
      if (conn.closed) continue;
      conn.reused = true;
      this.busy++;
      return conn;
    }
  }

  /** A fresh connection, never an idle one. */
  connect(): UpstreamConnection {
    const s = this.settings;
    this.busy++;
    return new UpstreamConnection(this, this.host, this.port, s.tls, s.tls ? serverNameFor(s, this.host) : undefined);
  }

  /** Takes a connection back after a complete exchange; keeps it when `settings` allow. */
  release(conn: UpstreamConnection, settings: UpstreamSettings): void {
    this.busy--;
    conn.user = undefined;
    if (!conn.keepAlive || conn.closed || conn.requests >= settings.maxRequests || this.idle.length >= settings.poolSize) {
      conn.destroy();
      return;
    }
    conn.idleSince = performance.now();
    conn.idleMs = settings.idleMs;
    conn.receivedBytes = false;
    // Flowing while idle, so a server's FIN or stray bytes are noticed at once.
    if (conn.socket.isPaused()) conn.socket.resume();
    this.idle.push(conn);
  }

  /** Destroys a connection whose exchange failed or was abandoned. */
  discard(conn: UpstreamConnection, reset = false): void {
    this.busy--;
    if (reset) conn.reset();
    else conn.destroy();
  }

  handedOver(): void {
    this.busy--;
  }

  forget(conn: UpstreamConnection): void {
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Closes idle connections past their lifetime. */
  sweep(now: number): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const conn = this.idle[i];
      if (now - conn.idleSince >= conn.idleMs) conn.destroy(); // 'close' removes it via forget()
    }
  }

  closeAll(): void {
    for (const conn of this.idle.slice()) conn.destroy();
  }
}

const SWEEP_INTERVAL_MS = 1000;

/**
 * Keep-alive pools for every node, keyed by `host:port` (plain http) so pools and their warm
 * sockets survive routing-table swaps; https pools also key on the TLS settings.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, NodePool>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(sweepPools, SWEEP_INTERVAL_MS, this);
    this.sweeper.unref();
  }

  pool(node: NodeRef, settings: UpstreamSettings): NodePool {
    const key = settings.poolPrefix === '' ? node.key : settings.poolPrefix + node.key;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new NodePool(node.host, node.port, settings);
      this.pools.set(key, pool);
    }
    return pool;
  }

  sweep(): void {
    const now = performance.now();
    for (const [key, pool] of this.pools) {
      pool.sweep(now);
      if (pool.idle.length === 0 && pool.busy <= 0) this.pools.delete(key);
    }
  }

  /** Idle connections across all pools (for tests and status). */
  get idleCount(): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.idle.length;
    return n;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) pool.closeAll();
    this.pools.clear();
  }
}

function sweepPools(pools: UpstreamPools): void {
  pools.sweep();
}
