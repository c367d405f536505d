import type { ListenerSocket, ListenerTable } from '../compile/listener-table.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import type { HttpProxy } from '../proxy/http-proxy.js';
import { HttpListenerSocket } from './http-listener-socket.js';
import type { ListenerSocketHandle } from './listener-socket-handle.js';
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

interface OpenSocket {
  plan: ListenerSocket;
  handle: ListenerSocketHandle;
  state: 'opening' | 'open';
}

/** How often closed sockets with connections still open are looked at (they are cut at drain's end). */
const CLOSING_SWEEP_MS = 500;

/**
 * Keeps the open Gateway listener sockets equal to those the routing table wants, in every
 * worker (under node:cluster the primary owns the bound sockets, as for the main ports). A
 * socket is keyed by kind, address and bound port: while its key stays, a new table only
 * swaps its routes and certificates; a changed address, port or protocol re-binds. A removed
 * socket stops accepting and its connections finish. A bind failure (EADDRINUSE, EACCES)
 * rejects its listeners, is logged, and is tried again on the next table; nothing here throws.
 */
export function createGatewayListeners(opts: GatewayListenersOptions) {
  const { logger } = opts;
  const open = new Map<string, OpenSocket>();
  const closing = new Set<ListenerSocketHandle>();
  let failed = new Map<string, { plan: ListenerSocket; reason: string }>();
  let sweep: NodeJS.Timeout | undefined;

  function create(plan: ListenerSocket): ListenerSocketHandle {
    if (plan.kind === 'http') return new HttpListenerSocket(plan, opts.proxy, logger);
    if (plan.kind === 'tls') return new TlsListenerSocket(plan, opts.proxy, logger, opts.traffic);
    return new StreamListenerSocket(plan, logger, opts.traffic);
  }

  function openSocket(plan: ListenerSocket): void {
    let handle: ListenerSocketHandle;
    try {
      handle = create(plan);
    } catch (err) {
      return void fail(plan, (err as Error).message);
    }
    const entry: OpenSocket = { plan, handle, state: 'opening' };
    open.set(plan.key, entry);
    handle.listen().then(
      () => {
        entry.state = 'open';
        logger.info({ socket: plan.key, listeners: plan.listeners.map((l) => l.key) }, 'listener opened');
        opts.onChange();
      },
      (err: NodeJS.ErrnoException) => {
        if (open.get(plan.key) === entry) open.delete(plan.key);
        handle.close();
        fail(plan, `cannot listen on ${plan.kind === 'udp' ? 'udp' : 'tcp'} ${plan.address ?? '*'}:${plan.port}: ${err.code ?? err.message}`);
        opts.onChange();
      },
    );
  }

  function fail(plan: ListenerSocket, reason: string): void {
    for (const listener of plan.listeners) logger.error({ key: listener.key, socket: plan.key }, 'listener rejected: ' + reason);
    failed.set(plan.key, { plan, reason });
  }

  function retire(handle: ListenerSocketHandle): void {
    handle.close();
    if (handle.connections === 0) return;
    closing.add(handle);
    sweep ??= setInterval(() => {
      for (const h of closing) if (h.connections === 0) closing.delete(h);
      if (closing.size === 0) {
        clearInterval(sweep);
        sweep = undefined;
      }
    }, CLOSING_SWEEP_MS).unref();
  }

  return {
    apply(table: ListenerTable | undefined): void {
      const wanted = table?.sockets ?? new Map<string, ListenerSocket>();
      for (const [key, entry] of open) {
        if (wanted.has(key)) continue;
        open.delete(key);
        retire(entry.handle);
        logger.info({ socket: key }, 'listener closed');
      }
      failed = new Map();
      for (const [key, plan] of wanted) {
        const entry = open.get(key);
        if (entry === undefined) openSocket(plan);
        else {
          entry.plan = plan;
          entry.handle.update(plan);
        }
      }
    },
    /** Listeners whose socket could not be bound: `listeners/<id>` → reason. */
    rejected(): Map<string, string> {
      const out = new Map<string, string>();
      for (const { plan, reason } of failed.values()) for (const listener of plan.listeners) out.set(listener.key, reason);
      return out;
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
      for (const { plan, state } of open.values()) add(plan, state);
      for (const { plan, reason } of failed.values()) add(plan, 'failed', reason);
      return rows.sort((a, b) => a.id.localeCompare(b.id));
    },
    /** Bound ports as `<transport>:<port>` (a rolling restart's replacement joins them first). */
    openPorts(): string[] {
      return [...open.values()].map(({ plan }) => `${plan.kind === 'udp' ? 'udp' : 'tcp'}:${plan.port}`);
    },
    /** Stops accepting everywhere, lets connections finish for up to `graceMs`, then cuts the rest. */
    async drain(graceMs: number): Promise<void> {
      for (const entry of open.values()) retire(entry.handle);
      open.clear();
      const deadline = Date.now() + graceMs;
      while ([...closing].some((h) => h.connections > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      this.close();
    },
    close(): void {
      for (const entry of open.values()) {
        entry.handle.close();
        entry.handle.destroyConnections();
      }
      open.clear();
      for (const handle of closing) handle.destroyConnections();
      closing.clear();
      clearInterval(sweep);
      sweep = undefined;
    },
  };
}

export type GatewayListeners = ReturnType<typeof createGatewayListeners>;
