import type { StreamPort, StreamTable } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { TcpStreamListener } from './tcp-stream-listener.js';
import { UdpStreamListener } from './udp-stream-listener.js';

export interface StreamListenersOptions {
  /** Address the stream ports bind to (default: all). */
  host?: string;
  logger: Logger;
  /** Per-route connection, byte and datagram counters. */
  traffic: StreamTraffic;
  /** TCP ports the gateway itself serves (HTTP, HTTPS): a stream route asking for one is refused. */
  reservedPorts(): readonly number[];
  /** Told when a listener failed after `apply` returned, so the worker can report the rejection. */
  onRejectedChange(): void;
  /** The HTTPS listener: `tls` stream routes on its port are TLS passthrough there (ssl-passthrough). */
  https?: { readonly port: number | undefined; setPassthrough(plan: StreamPort | undefined): void };
}

type Listener = TcpStreamListener | UdpStreamListener;

/**
 * Keeps the open stream ports equal to those the routing table wants. On every table swap it
 * opens new ports, closes removed ones (their TCP connections finish on their own; the
 * worker's drain bounds them) and hands changed plans to open ports without reopening them.
 * A port that cannot be opened (EADDRINUSE, EACCES, a gateway port) rejects the routes on it,
 * is logged with their keys and is tried again on the next swap; nothing here throws.
 */
export function createStreamListeners(opts: StreamListenersOptions) {
  const { logger } = opts;
  const open = new Map<string, Listener>();
  /** Removed TCP ports whose connections are still finishing (drain waits for them). */
  const closing = new Set<TcpStreamListener>();
  let failed = new Map<string, { keys: string[]; reason: string }>();

  function keysOf(plan: StreamPort): string[] {
    return plan.routes.map((r) => r.key);
  }

  function openListener(portKey: string, plan: StreamPort): void {
    const listener = plan.transport === 'tcp' ? new TcpStreamListener(plan, opts.host, logger, opts.traffic) : new UdpStreamListener(plan, opts.host, logger, opts.traffic);
    open.set(portKey, listener);
    listener.listen().then(
      () => logger.info({ port: plan.port, protocol: plan.protocol, routes: keysOf(plan) }, 'stream port opened'),
      (err: NodeJS.ErrnoException) => {
        if (open.get(portKey) === listener) open.delete(portKey);
        const reason = `cannot listen on ${plan.transport} port ${plan.port}: ${err.code ?? err.message}`;
        for (const key of keysOf(plan)) logger.error({ key, port: plan.port, code: err.code }, 'stream route rejected: ' + reason);
        failed.set(portKey, { keys: keysOf(plan), reason });
        opts.onRejectedChange();
      },
    );
  }

  function retire(listener: Listener): void {
    listener.close();
    if (listener instanceof TcpStreamListener && listener.sessions.size > 0) {
      closing.add(listener);
      for (const socket of listener.sessions) socket.once('close', () => listener.sessions.size === 0 && closing.delete(listener));
    }
  }

  return {
    apply(table: StreamTable | undefined): void {
      const wanted = table?.ports ?? new Map<string, StreamPort>();
      for (const [portKey, listener] of open) {
        if (wanted.has(portKey)) continue;
        open.delete(portKey);
        retire(listener);
        logger.info({ port: portKey }, 'stream port closed');
      }
      const reserved = opts.reservedPorts();
      const httpsPort = opts.https?.port;
      let passthrough: StreamPort | undefined;
      failed = new Map();
      for (const [portKey, plan] of wanted) {
        if (plan.transport === 'tcp' && plan.protocol === 'tls' && plan.port === httpsPort) {
          // The one exception to the reserved ports: the HTTPS listener peeks the SNI and passes claimed names through.
          passthrough = plan;
          continue;
        }
        if (plan.transport === 'tcp' && reserved.includes(plan.port)) {
          const reason = `port ${plan.port} is one of the gateway's HTTP/HTTPS ports`;
          for (const key of keysOf(plan)) logger.error({ key, port: plan.port }, 'stream route rejected: ' + reason);
          failed.set(portKey, { keys: keysOf(plan), reason });
          continue;
        }
        const listener = open.get(portKey);
        if (listener !== undefined) listener.update(plan);
        else openListener(portKey, plan);
      }
      opts.https?.setPassthrough(passthrough);
    },
    /** Stream routes refused because their port could not be opened: key → reason. */
    rejected(): Map<string, string> {
      const out = new Map<string, string>();
      for (const { keys, reason } of failed.values()) for (const key of keys) out.set(key, reason);
      return out;
    },
    /** Open ports as `<transport>:<port>` (for tests and status). */
    openPorts(): string[] {
      return [...open.keys()];
    },
    /** Stops accepting everywhere, lets TCP sessions finish for up to `graceMs`, then cuts the rest. */
    async drain(graceMs: number): Promise<void> {
      for (const listener of open.values()) retire(listener);
      open.clear();
      const deadline = Date.now() + graceMs;
      while (closing.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      this.close();
    },
    close(): void {
      for (const listener of open.values()) {
        listener.close();
        if (listener instanceof TcpStreamListener) listener.destroySessions();
      }
      open.clear();
      for (const listener of closing) listener.destroySessions();
      closing.clear();
    },
  };
}

export type StreamListeners = ReturnType<typeof createStreamListeners>;
