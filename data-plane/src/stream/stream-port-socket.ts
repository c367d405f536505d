import type { StreamPort } from '../compile/stream-matcher.js';
import type { ListenerSocketHandle } from '../listeners/listener-socket-handle.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { TcpStreamListener } from './tcp-stream-listener.js';
import { UdpStreamListener } from './udp-stream-listener.js';

/** One TCP or UDP stream port as a socket set drives it: its listener, whatever the transport. */
export class StreamPortSocket implements ListenerSocketHandle<StreamPort> {
  private readonly inner: TcpStreamListener | UdpStreamListener;

  constructor(plan: StreamPort, host: string | undefined, logger: Logger, traffic: StreamTraffic) {
    this.inner = plan.transport === 'udp' ? new UdpStreamListener(plan, host, logger, traffic) : new TcpStreamListener(plan, host, logger, traffic);
  }

  listen(): Promise<void> {
    return this.inner.listen();
  }

  update(plan: StreamPort): void {
    this.inner.update(plan);
  }

  close(): void {
    this.inner.close();
  }

  /** UDP has no connections to wait for: closing ends its sessions. */
  get connections(): number {
    return this.inner instanceof TcpStreamListener ? this.inner.sessions.size : 0;
  }

  destroyConnections(): void {
    if (this.inner instanceof TcpStreamListener) this.inner.destroySessions();
  }
}
