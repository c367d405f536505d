import type { ListenerSocket } from '../compile/listener-table.js';

/** One open listener socket as the manager drives it, whatever it speaks; `P` is its plan. */
export interface ListenerSocketHandle<P = ListenerSocket> {
  /** Binds `plan.address`:`plan.port`; rejects with the bind error (EADDRINUSE, EACCES...). */
  listen(): Promise<void>;
  /** A new table: new connections and requests follow it, the socket stays bound. */
  update(plan: P): void;
  /** Stops accepting; open connections and in-flight requests finish on their own. */
  close(): void;
  /** Connections still open (a closed socket is forgotten once this reaches 0). */
  readonly connections: number;
  /** Cuts every connection (shutdown after the grace period). */
  destroyConnections(): void;
}

/** Binds a net.Server or dgram socket-like `listen`, turning the first error into a rejection and later ones into logs. */
export function listenOnce(
  server: {
    once(e: 'error', f: (err: Error) => void): unknown;
    removeListener(e: 'error', f: (err: Error) => void): unknown;
    on(e: 'error', f: (err: Error) => void): unknown;
  },
  bind: (done: () => void) => void,
  onLaterError: (err: Error) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    bind(() => {
      server.removeListener('error', reject);
      server.on('error', onLaterError);
      resolve();
    });
  });
}
