import type { StreamPort, StreamTable } from '../compile/stream-matcher.js';
import { createSocketSet, type BindFailure } from '../listeners/socket-set.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { StreamPortSocket } from './stream-port-socket.js';

export interface StreamListenersOptions {
  /** Address the stream ports bind to (default: all). */
  host?: string;
  logger: Logger;
  /** Per-route connection, byte and datagram counters. */
  traffic: StreamTraffic;
  /** TCP ports the gateway itself serves (HTTP, HTTPS): a stream route asking for one is refused. */
  reservedPorts(): readonly number[];
  /** Told when a port bound or failed to after `apply` returned, so the worker can report it. */
  onRejectedChange(): void;
  /** The HTTPS listener: `tls` stream routes on its port are TLS passthrough there (ssl-passthrough). */
  https?: { readonly port: number | undefined; setPassthrough(plan: StreamPort | undefined): void };
}

/**
 * Keeps the open stream ports equal to those the routing table wants (a socket set, so a
 * route moved to a port that cannot be opened keeps its old port until the new one is bound).
 * On every table swap it opens new ports, closes removed ones (their TCP connections finish
 * on their own; the worker's drain bounds them) and hands changed plans to open ports without
 * reopening them. A port that cannot be opened (EADDRINUSE, EACCES, a gateway port) rejects
 * the routes on it, is logged with their keys and is tried again on the next swap.
 */
export function createStreamListeners(opts: StreamListenersOptions) {
  const sockets = createSocketSet<StreamPort>({
    logger: opts.logger,
    what: 'stream port',
    create: (plan) => new StreamPortSocket(plan, opts.host, opts.logger, opts.traffic),
    documents: (plan) => plan.routes.map((r) => ({ key: r.key, modRevision: r.modRevision })),
    bindError: (plan, err) => `cannot listen on ${plan.transport} port ${plan.port}: ${err.code ?? err.message}`,
    onChange: opts.onRejectedChange,
  });

  return {
    apply(table: StreamTable | undefined): void {
      const wanted = new Map<string, StreamPort>();
      const refused = new Map<string, { plan: StreamPort; reason: string }>();
      const reserved = opts.reservedPorts();
      const httpsPort = opts.https?.port;
      let passthrough: StreamPort | undefined;
      for (const [portKey, plan] of table?.ports ?? []) {
        if (plan.transport === 'tcp' && plan.protocol === 'tls' && plan.port === httpsPort) {
          // The one exception to the reserved ports: the HTTPS listener peeks the SNI and passes claimed names through.
          passthrough = plan;
        } else if (plan.transport === 'tcp' && reserved.includes(plan.port)) {
          refused.set(portKey, { plan, reason: `port ${plan.port} is one of the gateway's HTTP/HTTPS ports` });
        } else {
          wanted.set(portKey, plan);
        }
      }
      sockets.apply(wanted, refused);
      opts.https?.setPassthrough(passthrough);
    },
    /** Stream routes refused because their port could not be opened: key → reason. */
    rejected(): Map<string, string> {
      return sockets.rejected();
    },
    /** The same with the route versions, so the worker can put their previous versions back in force. */
    failures(): BindFailure[] {
      return sockets.failures();
    },
    /** Stream routes whose port is still being opened. */
    pending(): Set<string> {
      return sockets.pending();
    },
    /** Open ports as `<transport>:<port>` (for tests and status). */
    openPorts(): string[] {
      return sockets.entries().map((e) => e.key);
    },
    /** Stops accepting everywhere, lets TCP sessions finish for up to `graceMs`, then cuts the rest. */
    drain: (graceMs: number) => sockets.drain(graceMs),
    close: () => sockets.close(),
  };
}

export type StreamListeners = ReturnType<typeof createStreamListeners>;
