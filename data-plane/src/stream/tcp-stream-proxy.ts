import net from 'node:net';
import tls from 'node:tls';
import type { NodeRef, PickContext } from '../balancer/types.js';
import type { CompiledStreamRoute } from '../compile/stream-matcher.js';
import { serverNameFor, upstreamSettings } from '../proxy/upstream-settings.js';
import { proxyProtocolHeader, type ProxiedConnection } from './proxy-protocol-header.js';
import { watchIdle } from '../observe/idle-watch.js';

/**
 * Upstream→client bytes are read into one buffer per connection and written from it, instead
 * of a fresh 64 KiB Buffer per read through pipe(): measured on a bulk download, half the CPU
 * per MB and about 1.6× the throughput. 32 KiB is the trade: 10,000 open connections hold
 * 320 MiB of these buffers (docs/ARCHITECTURE.md, "Streams").
 */
const RELAY_BUFFER_BYTES = 32 * 1024;
/** Reads smaller than this are copied out of the buffer instead of written from it. */
const COPY_BELOW_BYTES = 4096;

/**
 * Writes what the upstream socket read into the reused buffer to the client. A write the
 * kernel did not take at once still points into the buffer, so reading pauses until it is
 * flushed (the write's callback), which is also the back-pressure.
 */
class DownstreamRelay {
  client: net.Socket | undefined = undefined;
  upstream: net.Socket | undefined = undefined;
  private waiting = false;
  readonly buffer = Buffer.allocUnsafe(RELAY_BUFFER_BYTES);

  readonly onRead = (bytes: number, buffer: Buffer): boolean => {
    const client = this.client!;
    // A small read (request/response traffic) is copied: cheaper than a write callback, and
    // the copy may stay queued while the buffer takes the next read.
    if (bytes < COPY_BELOW_BYTES) {
      if (client.write(Buffer.from(buffer.subarray(0, bytes)))) return true;
      client.once('drain', this.resume); // the client is slow: back-pressure
      return false;
    }
    client.write(buffer.subarray(0, bytes), this.afterWrite);
    if (client.writableLength === 0) return true;
    this.waiting = true;
    return false;
  };

  private readonly resume = (): void => void this.upstream!.resume();

  private readonly afterWrite = (): void => {
    if (!this.waiting || this.client!.writableLength !== 0) return;
    this.waiting = false;
    this.upstream!.resume();
  };
}

/**
 * Connects an accepted client to a node of its stream route and pipes bytes both ways.
 * A node that refuses or does not answer within the connect timeout counts as a failed
 * attempt (passive health, least_conn) and the next untried node gets the connection, up
 * to `route.retries` times. `firstBytes` (a peeked ClientHello) goes out first, after the
 * PROXY protocol header. `pipe` gives back-pressure both ways; half-close passes through
 * (both sockets allow half-open), and the idle timeout watches the client socket, which
 * every byte in either direction crosses. `peer` is who the client is: the socket itself, or the
 * addresses a load balancer's PROXY header named (used for hashing and the header we send).
 */
export function proxyTcpStream(client: net.Socket, route: CompiledStreamRoute, firstBytes: Buffer | undefined, peer: ProxiedConnection = client): void {
  client.pause();
  const tried: NodeRef[] = [];
  const ctx: PickContext = { remoteAddress: peer.remoteAddress ?? '', headers: {}, url: '' };
  let upstream: net.Socket | undefined;
  // While connecting, a client that goes away takes the attempt with it.
  const abandon = (): void => void upstream?.destroy();
  client.once('close', abandon);
  attempt();

  function attempt(): void {
    if (client.destroyed) return;
    const backend = route.pickBackend();
    const selection = backend?.runtime.select(ctx, tried);
    if (backend === undefined || selection === undefined) {
      client.destroy();
      return;
    }
    const { runtime } = backend;
    const node = selection.node;
    tried.push(node);
    runtime.onAttemptStart(node);
    const startedAt = performance.now();
    const settings = upstreamSettings(backend.upstream);
    // A TLS upstream (BackendTLSPolicy behind a TLS Terminate listener: re-encrypt) is relayed
    // by pipe(): node:tls reads into its own buffers, so the reused relay buffer cannot serve it.
    const relay = settings.tls ? undefined : new DownstreamRelay();
    const socket: net.Socket = settings.tls
      ? tls.connect({
          ...settings.tls,
          ALPNProtocols: undefined,
          host: node.host,
          port: node.port,
          servername: serverNameFor(settings, node.host),
          allowHalfOpen: true,
        } as tls.ConnectionOptions)
      : net.connect({ host: node.host, port: node.port, allowHalfOpen: true, noDelay: true, onread: { buffer: relay!.buffer, callback: relay!.onRead } });
    const connectEvent = settings.tls ? 'secureConnect' : 'connect';
    if (settings.tls) socket.setNoDelay(true);
    // Nothing is read before the relay knows its client (resumed in pipeBothWays).
    socket.pause();
    if (relay) relay.upstream = socket;
    upstream = socket;
    const fail = (error: 'connect' | 'timeout'): void => {
      clearTimeout(timer);
      socket.removeListener(connectEvent, connected);
      socket.on('error', ignoreError);
      socket.destroy();
      runtime.onAttemptEnd(node, { error, latencyMs: performance.now() - startedAt });
      if (tried.length <= route.retries) attempt();
      else client.destroy();
    };
    const onConnectError = (): void => fail('connect');
    const connected = (): void => {
      clearTimeout(timer);
      socket.removeListener('error', onConnectError);
      runtime.onAttemptEnd(node, { latencyMs: performance.now() - startedAt });
      client.removeListener('close', abandon);
      pipeBothWays(client, socket, relay, route, firstBytes, peer);
    };
    const timer = setTimeout(fail, route.connectMs, 'timeout');
    socket.once('error', onConnectError);
    socket.once(connectEvent, connected);
  }
}

function pipeBothWays(
  client: net.Socket,
  upstream: net.Socket,
  relay: DownstreamRelay | undefined,
  route: CompiledStreamRoute,
  firstBytes: Buffer | undefined,
  peer: ProxiedConnection,
): void {
  upstream.on('error', ignoreError);
  if (route.proxyProtocol !== undefined) upstream.write(proxyProtocolHeader(route.proxyProtocol, peer));
  if (firstBytes !== undefined && firstBytes.length > 0) upstream.write(firstBytes);
  client.pipe(upstream);
  if (relay) relay.client = client;
  else upstream.pipe(client, { end: false });
  // The upstream's FIN passes on as the client's (half-close), as pipe() would.
  upstream.once('end', () => client.end());
  upstream.resume();
  // Idle time from byte counters: socket.setTimeout would re-arm a timer on every chunk of a bulk transfer.
  const stopIdleWatch = watchIdle(client, upstream, route.idleMs, () => {
    client.destroy();
    upstream.destroy();
  });
  // A clean close has already passed its FIN along through pipe(); a reset or error tears the other side down.
  client.once('close', (hadError) => {
    stopIdleWatch();
    if (hadError || !client.readableEnded) upstream.destroy();
  });
  upstream.once('close', (hadError) => {
    stopIdleWatch();
    if (hadError || !upstream.readableEnded) client.destroy();
  });
}

function ignoreError(): void {
  // 'close' follows every socket error and carries its consequences.
}
