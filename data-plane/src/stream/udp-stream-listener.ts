import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { LRUCache } from 'lru-cache';
import type { NodeRef, UpstreamRuntime } from '../balancer/types.js';
import type { CompiledStreamRoute, StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamRouteCounters, StreamTraffic } from '../observe/stream-traffic.js';

/** Sessions kept per port; beyond that the least recently active one is closed. */
const MAX_SESSIONS = 10_000;
/** Datagrams held per session while its upstream socket is still connecting. */
const MAX_QUEUED = 64;
/** How often traffic seen on sessions is turned into renewed idle timers. */
const SWEEP_MS = 250;

/**
 * One client address ↔ one upstream socket, plus (once bound) a client socket of its own:
 * bound to the listening port with SO_REUSEADDR and connected to the client, so the kernel
 * hands this client's later datagrams straight to it and replies go out with no address to
 * resolve. That takes the session lookup and the per-reply address handling off the path of
 * every datagram; until it is ready, the shared listening socket carries both ways.
 */
class UdpSession {
  readonly upstream: dgram.Socket;
  private queue: Buffer[] | undefined = [];
  private client: dgram.Socket | undefined;
  private clientReady = false;
  /** Traffic since the last sweep: the sweep renews the session's idle timer. */
  active = true;

  constructor(
    readonly route: CompiledStreamRoute,
    readonly counters: StreamRouteCounters,
    private readonly runtime: UpstreamRuntime,
    private readonly node: NodeRef,
    private readonly peer: dgram.RemoteInfo,
    private readonly listening: dgram.Socket,
    onError: () => void,
  ) {
    this.upstream = dgram.createSocket(isIPv6(node.host) ? 'udp6' : 'udp4');
    this.upstream.on('message', (reply) => this.reply(reply));
    // ICMP port unreachable arrives as ECONNREFUSED on a connected socket: a failed attempt.
    this.upstream.on('error', () => {
      runtime.onAttemptEnd(node, { error: 'connect', latencyMs: 0 });
      onError();
    });
    runtime.onAttemptStart(node);
    this.upstream.connect(node.port, node.host, () => {
      runtime.onAttemptEnd(node, { latencyMs: 0 });
      const queued = this.queue ?? [];
      this.queue = undefined;
      for (const datagram of queued) this.upstream.send(datagram);
    });
  }

  /**
   * Binds the client socket. Between bind and connect it is an unconnected socket on the
   * port and may receive another client's datagram: `stray` hands those back to the listener.
   */
  bindClientSocket(port: number, address: string, type: 'udp4' | 'udp6', stray: (datagram: Buffer, rinfo: dgram.RemoteInfo) => void): void {
    const socket = dgram.createSocket({ type, reuseAddr: true });
    this.client = socket;
    socket.on('error', () => {
      // Bind or connect refused (or a later ICMP error): the listening socket carries on alone.
      this.clientReady = false;
      this.closeClient();
    });
    socket.on('message', (datagram, rinfo) => {
      if (rinfo.port !== this.peer.port || rinfo.address !== this.peer.address) return stray(datagram, rinfo);
      this.active = true;
      this.counters.datagramsIn++;
      this.send(datagram);
    });
    // exclusive: this worker's own socket, not the primary's shared one.
    socket.bind({ port, address, exclusive: true }, () => {
      if (this.client !== socket) return;
      socket.connect(this.peer.port, this.peer.address, () => {
        if (this.client === socket) this.clientReady = true;
      });
    });
  }

  send(datagram: Buffer): void {
    if (this.queue === undefined) this.upstream.send(datagram);
    else if (this.queue.length < MAX_QUEUED) this.queue.push(datagram);
  }

  private reply(datagram: Buffer): void {
    this.active = true;
    this.counters.datagramsOut++;
    if (this.clientReady) this.client!.send(datagram);
    else this.listening.send(datagram, this.peer.port, this.peer.address);
  }

  private closeClient(): void {
    const socket = this.client;
    this.client = undefined;
    try {
      socket?.close();
    } catch {
      // not bound yet, or already closed
    }
  }

  close(): void {
    this.closeClient();
    try {
      this.upstream.close();
    } catch {
      // already closed after an error
    }
  }
}

/**
 * One listening UDP port. Each client address gets a session with its own upstream socket
 * (so replies can be told apart), kept in an LRU cache whose TTL is the route's idle timeout,
 * renewed by traffic either way (sessions flag traffic; a sweep every 250 ms renews the
 * flagged ones, so no datagram pays for a cache update). Replies come from the listening
 * port, so the client sees the address it sent to. Under node:cluster the listening socket is
 * bound with `exclusive: false`: the primary owns one socket and every worker reads from it
 * (see docs/ARCHITECTURE.md, "Streams"); a worker that opens a session gets the client's
 * later datagrams on the session's own connected socket, so a client stays with one worker.
 */
export class UdpStreamListener {
  private readonly socket: dgram.Socket;
  private readonly type: 'udp4' | 'udp6';
  private readonly sessions: LRUCache<string, UdpSession>;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private plan: StreamPort,
    private readonly host: string | undefined,
    private readonly logger: Logger,
    private readonly traffic: StreamTraffic,
  ) {
    this.type = host !== undefined && isIPv6(host) ? 'udp6' : 'udp4';
    this.socket = dgram.createSocket({ type: this.type, reuseAddr: true });
    this.sessions = new LRUCache<string, UdpSession>({
      max: MAX_SESSIONS,
      ttl: 3_600_000,
      ttlAutopurge: true,
      updateAgeOnGet: true,
      dispose: (session) => {
        session.counters.udpSessions--;
        session.close();
      },
    });
    this.socket.on('message', (datagram, rinfo) => this.receive(datagram, rinfo));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ port: this.plan.port, address: this.host, exclusive: false }, () => {
        this.socket.removeListener('error', reject);
        this.socket.on('error', (err) => this.logger.warn({ err, port: this.plan.port }, 'udp stream listener error'));
        this.sweeper = setInterval(() => this.renewActiveSessions(), SWEEP_MS).unref();
        resolve();
      });
    });
  }

  update(plan: StreamPort): void {
    this.plan = plan;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Datagrams have no connection to drain: closing the port ends its sessions. */
  close(): void {
    clearInterval(this.sweeper);
    this.sessions.clear();
    try {
      this.socket.close();
    } catch {
      // never bound
    }
  }

  private renewActiveSessions(): void {
    for (const [key, session] of this.sessions.entries()) {
      if (!session.active) continue;
      session.active = false;
      this.sessions.get(key); // renews the idle timer and the recency
    }
  }

  private receive(datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = this.open(key, rinfo);
      if (session === undefined) return;
    }
    session.active = true;
    session.counters.datagramsIn++;
    session.send(datagram);
  }

  private open(key: string, rinfo: dgram.RemoteInfo): UdpSession | undefined {
    const route = this.plan.routeFor(undefined);
    if (route === undefined || !route.allows(rinfo.address)) return undefined;
    const backend = route.pickBackend();
    const selection = backend?.runtime.select({ remoteAddress: rinfo.address, headers: {}, url: '' });
    if (backend === undefined || selection === undefined) return undefined;
    const counters = this.traffic.route(route.id);
    const session = new UdpSession(route, counters, backend.runtime, selection.node, { ...rinfo }, this.socket, () => {
      if (this.sessions.peek(key) === session) this.sessions.delete(key);
    });
    counters.udpSessions++;
    this.sessions.set(key, session, { ttl: route.idleMs });
    const local = this.socket.address();
    session.bindClientSocket(local.port, local.address, this.type, (datagram, from) => this.receive(datagram, from));
    return session;
  }
}
