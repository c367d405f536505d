import type { ListenerSocket } from '../compile/listener-table.js';
import type { Logger } from '../observe/logger.js';
import type { HttpProxy, ScopedFront } from '../proxy/http-proxy.js';
import { listenOnce, type ListenerSocketHandle } from './listener-socket-handle.js';
import { ListenerRouteScope } from './listener-route-scope.js';

/**
 * A plain HTTP listener socket: the raw llhttp front of the main port (h2c prior knowledge
 * included, the same client-traffic limits), serving the routes of the listeners on it.
 */
export class HttpListenerSocket implements ListenerSocketHandle {
  private readonly scope: ListenerRouteScope;
  private readonly fronts: ScopedFront;

  constructor(
    private plan: ListenerSocket,
    proxy: HttpProxy,
    private readonly logger: Logger,
  ) {
    this.scope = new ListenerRouteScope(plan);
    this.fronts = proxy.createScopedFront(this.scope);
  }

  listen(): Promise<void> {
    const server = this.fronts.front;
    return listenOnce(
      server,
      (done) => server.listen({ port: this.plan.port, host: this.plan.address }, done),
      (err) => this.logger.warn({ err, listener: this.plan.key }, 'listener socket error'),
    );
  }

  update(plan: ListenerSocket): void {
    this.plan = plan;
    this.scope.socket = plan;
  }

  close(): void {
    this.fronts.front.close();
    this.fronts.retire();
  }

  get connections(): number {
    return this.fronts.connections;
  }

  destroyConnections(): void {
    this.fronts.destroy();
  }
}
