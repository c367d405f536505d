import net from 'node:net';
import type { NodeRef, PickContext } from '../balancer/types.js';
import type { CompiledStreamRoute } from '../compile/stream-matcher.js';
import { proxyProtocolHeader, type ProxiedConnection } from './proxy-protocol-header.js';
import { watchIdle } from '../observe/idle-watch.js';

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
    const socket = net.connect({ host: node.host, port: node.port, allowHalfOpen: true, noDelay: true });
    upstream = socket;
    const fail = (error: 'connect' | 'timeout'): void => {
      clearTimeout(timer);
      socket.removeListener('connect', connected);
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
      pipeBothWays(client, socket, route, firstBytes, peer);
    };
    const timer = setTimeout(fail, route.connectMs, 'timeout');
    socket.once('error', onConnectError);
    socket.once('connect', connected);
  }
}

function pipeBothWays(client: net.Socket, upstream: net.Socket, route: CompiledStreamRoute, firstBytes: Buffer | undefined, peer: ProxiedConnection): void {
  upstream.on('error', ignoreError);
  if (route.proxyProtocol !== undefined) upstream.write(proxyProtocolHeader(route.proxyProtocol, peer));
  if (firstBytes !== undefined && firstBytes.length > 0) upstream.write(firstBytes);
  client.pipe(upstream);
  upstream.pipe(client);
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
