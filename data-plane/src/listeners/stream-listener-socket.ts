import type { ListenerSocket } from '../compile/listener-table.js';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { StreamPortSocket } from '../stream/stream-port-socket.js';
import type { ListenerSocketHandle } from './listener-socket-handle.js';

/** A TCP or UDP listener socket: the stream port of its stream routes, bound at the listener's address. */
export class StreamListenerSocket implements ListenerSocketHandle {
  private readonly inner: StreamPortSocket;

  constructor(plan: ListenerSocket, logger: Logger, traffic: StreamTraffic) {
    this.inner = new StreamPortSocket(streamOf(plan), plan.address, logger, traffic);
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

  get connections(): number {
    return this.inner.connections;
  }

  destroyConnections(): void {
    this.inner.destroyConnections();
  }
}

function streamOf(plan: ListenerSocket): StreamPort {
  if (plan.stream === undefined) throw new Error(`listener socket ${plan.key} has no stream plan`);
  return plan.stream;
}
