import type { ListenerSocket } from '../compile/listener-table.js';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { TcpStreamListener } from '../stream/tcp-stream-listener.js';
import { UdpStreamListener } from '../stream/udp-stream-listener.js';
import type { ListenerSocketHandle } from './listener-socket-handle.js';

/** A TCP or UDP listener socket: the stream listeners of stream routes, bound at the listener's address. */
export class StreamListenerSocket implements ListenerSocketHandle {
  private readonly inner: TcpStreamListener | UdpStreamListener;

  constructor(plan: ListenerSocket, logger: Logger, traffic: StreamTraffic) {
    const stream = streamOf(plan);
    this.inner = plan.kind === 'udp' ? new UdpStreamListener(stream, plan.address, logger, traffic) : new TcpStreamListener(stream, plan.address, logger, traffic);
  }

  listen(): Promise<void> {
    return this.inner.listen();
  }

  update(plan: ListenerSocket): void {
    this.inner.update(streamOf(plan));
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

function streamOf(plan: ListenerSocket): StreamPort {
  if (plan.stream === undefined) throw new Error(`listener socket ${plan.key} has no stream plan`);
  return plan.stream;
}
