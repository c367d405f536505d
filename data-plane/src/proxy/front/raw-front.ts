import net from 'node:net';
import type { ClientLimits } from '../../compile/client-traffic.js';
import type { FrontHandler } from './client-side.js';
import { FrontConnection } from './front-connection.js';

/**
 * Fixed limits for this server, overriding the live client-traffic settings field by field
 * (tests use short timeouts). Without them every new connection takes the limits in force.
 */
export type RawFrontOptions = Partial<ClientLimits>;

/**
 * The raw HTTP/1.1 front: a `net.Server` whose connections parse requests with llhttp and
 * answer through `FrontRequest`, without node:http's IncomingMessage/ServerResponse. It has
 * node:http's `closeIdleConnections`/`closeAllConnections`, so drain and shutdown treat both
 * fronts alike.
 */
export class RawFrontServer extends net.Server {
  private readonly frontConnections = new Set<FrontConnection>();

  constructor(handler: FrontHandler, opts: RawFrontOptions = {}) {
    super({ allowHalfOpen: true, noDelay: true });
    const fixed = Object.keys(opts).length > 0 ? opts : undefined;
    let lastLive: ClientLimits | undefined;
    let lastMerged: ClientLimits | undefined;
    // Connections take the limits in force when they are accepted (client-traffic applies live).
    const limitsNow = (): ClientLimits => {
      const live = handler.clientLimits;
      if (fixed === undefined) return live;
      if (live !== lastLive) {
        lastLive = live;
        lastMerged = { ...live, ...fixed };
      }
      return lastMerged!;
    };
    this.on('connection', (socket: net.Socket) => {
      const conn = new FrontConnection(socket, handler, limitsNow());
      this.frontConnections.add(conn);
      socket.once('close', () => this.frontConnections.delete(conn));
    });
  }

  /** Client connections open now (accepted here or handed over by a TLS listener). */
  get connectionCount(): number {
    return this.frontConnections.size;
  }

  closeIdleConnections(): void {
    for (const conn of this.frontConnections) conn.closeIfIdle();
  }

  /** One drain sweep: closes connections that stayed idle since the previous sweep. */
  closeLongIdleConnections(): void {
    for (const conn of this.frontConnections) conn.closeIfLongIdle();
  }

  closeAllConnections(): void {
    for (const conn of this.frontConnections) conn.socket.destroy();
  }
}

export function createRawFront(handler: FrontHandler, opts?: RawFrontOptions): RawFrontServer {
  return new RawFrontServer(handler, opts);
}
