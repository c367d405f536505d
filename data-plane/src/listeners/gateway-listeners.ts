import type { ListenerSocket, ListenerTable } from '../compile/listener-table.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import type { HttpProxy } from '../proxy/http-proxy.js';
import { HttpListenerSocket } from './http-listener-socket.js';
import { createSocketSet, type BindFailure } from './socket-set.js';
import { StreamListenerSocket } from './stream-listener-socket.js';
import { TlsListenerSocket } from './tls-listener-socket.js';

export interface GatewayListenersOptions {
  proxy: HttpProxy;
  logger: Logger;
  traffic: StreamTraffic;
  /** Told when a socket bound or failed to after `apply` returned, so the worker can report it (status, rejections). */
  onChange(): void;
}

/** One listener as /status shows it. */
export interface ListenerStatus {
  id: string;
  gateway: string;
  protocol: string;
  hostname?: string;
  /** Undefined = all addresses. */
  address?: string;
  /** As declared in the document. */
  port: number;
  /** As bound (after --port-map). */
  boundPort: number;
  state: 'opening' | 'open' | 'failed';
  error?: string;
}

/**
 * Keeps the open Gateway listener sockets equal to those the routing table wants, in every
 * worker (under node:cluster the primary owns the bound sockets, as for the main ports). A
 * socket is keyed by kind, address and bound port: while its key stays, a new table only
 * swaps its routes and certificates; a changed address, port or protocol binds a new socket,
 * and the old one keeps serving its listeners' previous versions until the new one is bound
 * (make-before-break, `socket-set.ts`). A removed socket stops accepting and its connections
 * finish. A bind failure (EADDRINUSE, EACCES) rejects its listeners and everything attached
 * to them, is logged, and is tried again on the next table; nothing here throws.
 */
export function createGatewayListeners(opts: GatewayListenersOptions) {
  const { logger } = opts;
  const sockets = createSocketSet<ListenerSocket>({
    logger,
    what: 'listener',
    create(plan) {
      if (plan.kind === 'http') return new HttpListenerSocket(plan, opts.proxy, logger);
      if (plan.kind === 'tls') return new TlsListenerSocket(plan, opts.proxy, logger, opts.traffic);
      return new StreamListenerSocket(plan, logger, opts.traffic);
    },
    documents: (plan) => plan.listeners.flatMap((l) => l.documents),
    bindError: (plan, err) => `cannot listen on ${plan.kind === 'udp' ? 'udp' : 'tcp'} ${plan.address ?? '*'}:${plan.port}: ${err.code ?? err.message}`,
    onChange: opts.onChange,
  });

  return {
    apply(table: ListenerTable | undefined): void {
      sockets.apply(table?.sockets ?? new Map());
    },
    /** Listeners (and what is attached to them) whose socket could not be bound: `<collection>/<id>` → reason. */
    rejected(): Map<string, string> {
      return sockets.rejected();
    },
    /** The same with the document versions, so the worker can put their previous versions back in force. */
    failures(): BindFailure[] {
      return sockets.failures();
    },
    /** Documents whose listener socket is still being bound. */
    pending(): Set<string> {
      return sockets.pending();
    },
    status(): ListenerStatus[] {
      const rows: ListenerStatus[] = [];
      const add = (plan: ListenerSocket, state: ListenerStatus['state'], error?: string) => {
        for (const { id, doc } of plan.listeners) {
          rows.push({
            id,
            gateway: `${doc.gateway.namespace}/${doc.gateway.name}`,
            protocol: doc.tls ? `${doc.protocol}/${doc.tls.mode}` : doc.protocol,
            ...(doc.hostname !== undefined ? { hostname: doc.hostname } : {}),
            ...(plan.address !== undefined ? { address: plan.address } : {}),
            port: plan.declaredPort,
            boundPort: plan.port,
            state,
            ...(error !== undefined ? { error } : {}),
          });
        }
      };
      for (const { plan, state } of sockets.entries()) add(plan, state);
      for (const { plan, reason } of sockets.failedEntries()) add(plan, 'failed', reason);
      return rows.sort((a, b) => a.id.localeCompare(b.id));
    },
    /** Bound ports as `<transport>:<port>` (a rolling restart's replacement joins them first). */
    openPorts(): string[] {
      return sockets.entries().map(({ plan }) => `${plan.kind === 'udp' ? 'udp' : 'tcp'}:${plan.port}`);
    },
    /** Stops accepting everywhere, lets connections finish for up to `graceMs`, then cuts the rest. */
    drain: (graceMs: number) => sockets.drain(graceMs),
    close: () => sockets.close(),
  };
}

export type GatewayListeners = ReturnType<typeof createGatewayListeners>;
