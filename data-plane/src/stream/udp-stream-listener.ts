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

/** One client address ↔ one upstream socket. */
class UdpSession {
  readonly upstream: dgram.Socket;
  private queue: Buffer[] | undefined = [];

  constructor(
    readonly route: CompiledStreamRoute,
    readonly counters: StreamRouteCounters,
    private readonly runtime: UpstreamRuntime,
    private readonly node: NodeRef,
    onReply: (reply: Buffer) => void,
    onError: () => void,
  ) {
    this.upstream = dgram.createSocket(isIPv6(node.host) ? 'udp6' : 'udp4');
    this.upstream.on('message', onReply);
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

  send(datagram: Buffer): void {
    if (this.queue === undefined) this.upstream.send(datagram);
    else if (this.queue.length < MAX_QUEUED) this.queue.push(datagram);
  }

  close(): void {
    try {
      this.upstream.close();
    } catch {
      // already closed after an error
    }
  }
}

/**
 * One listening UDP port. Each client address gets a session with its own upstream socket
 * (so replies can be told apart), kept in an LRU cache whose TTL is the route's idle timeout
 * and renewed by traffic either way; replies go back from the listening socket, so the
 * client sees the address it sent to. Under node:cluster the socket is bound with
 * `exclusive: false`: the primary owns one socket and every worker reads from it (see
 * docs/ARCHITECTURE.md, "Streams"), so each worker keeps sessions for the datagrams it reads.
 */
export class UdpStreamListener {
  private readonly socket: dgram.Socket;
  private readonly sessions: LRUCache<string, UdpSession>;

  constructor(
    private plan: StreamPort,
    private readonly host: string | undefined,
    private readonly logger: Logger,
    private readonly traffic: StreamTraffic,
  ) {
    this.socket = dgram.createSocket({ type: host !== undefined && isIPv6(host) ? 'udp6' : 'udp4' });
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
    this.sessions.clear();
    try {
      this.socket.close();
    } catch {
      // never bound
    }
  }

  private receive(datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = this.open(key, rinfo);
      if (session === undefined) return;
    }
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
    const session = new UdpSession(
      route,
      counters,
      backend.runtime,
      selection.node,
      (reply) => {
        this.sessions.get(key); // traffic back renews the session too
        counters.datagramsOut++;
        this.socket.send(reply, rinfo.port, rinfo.address);
      },
      () => {
        if (this.sessions.peek(key) === session) this.sessions.delete(key);
      },
    );
    counters.udpSessions++;
    this.sessions.set(key, session, { ttl: route.idleMs });
    return session;
  }
}
