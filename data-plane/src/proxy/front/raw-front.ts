import net from 'node:net';
import type { FrontHandler } from './client-side.js';
import { FrontConnection, frontTimeouts } from './front-connection.js';

export interface RawFrontOptions {
  /** Time to receive a complete request head (default 60 s). */
  headersTimeoutMs?: number;
  /** Idle time allowed between requests on a connection (default 65 s). */
  keepAliveTimeoutMs?: number;
  /** Request line plus headers, in bytes (default 16 KiB, as node:http); more gets 431. */
  maxHeaderSize?: number;
}

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
    const timeouts = frontTimeouts(opts.headersTimeoutMs ?? 60_000, opts.keepAliveTimeoutMs ?? 65_000, opts.maxHeaderSize ?? 16 * 1024);
    this.on('connection', (socket: net.Socket) => {
      const conn = new FrontConnection(socket, handler, timeouts);
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
