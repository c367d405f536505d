import net from 'node:net';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import { MAX_CLIENT_HELLO, peekClientHelloSni } from './client-hello-sni.js';
import { proxyTcpStream } from './tcp-stream-proxy.js';

/** How long a `tls` port waits for a complete ClientHello before giving up on the client. */
export const CLIENT_HELLO_TIMEOUT_MS = 5_000;

/**
 * One listening TCP port of `tcp` or `tls` (passthrough) stream routes. Its port plan can be
 * replaced while it listens: new connections follow the new plan, open ones keep their
 * route. `close()` stops accepting and leaves open connections to finish.
 */
export class TcpStreamListener {
  readonly sessions = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(
    private plan: StreamPort,
    private readonly host: string | undefined,
    private readonly logger: Logger,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.plan.port, host: this.host }, () => {
        this.server.removeListener('error', reject);
        // After listening, an error (EMFILE on accept...) is logged, never thrown.
        this.server.on('error', (err) => this.logger.warn({ err, port: this.plan.port }, 'stream listener error'));
        resolve();
      });
    });
  }

  update(plan: StreamPort): void {
    this.plan = plan;
  }

  close(): void {
    this.server.close();
  }

  destroySessions(): void {
    for (const socket of this.sessions) socket.destroy();
  }

  private accept(socket: net.Socket): void {
    socket.on('error', ignoreError);
    this.sessions.add(socket);
    socket.once('close', () => this.sessions.delete(socket));
    const plan = this.plan;
    if (plan.protocol !== 'tls') {
      const route = plan.routeFor(undefined);
      if (route === undefined || !route.allows(socket.remoteAddress)) return void socket.destroy();
      proxyTcpStream(socket, route, undefined);
      return;
    }
    this.peekServerName(socket, plan);
  }

  /** TLS passthrough: buffer the ClientHello (it may arrive in pieces) until its SNI is known. */
  private peekServerName(socket: net.Socket, plan: StreamPort): void {
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), CLIENT_HELLO_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const peek = peekClientHelloSni(received);
      if (peek.kind === 'incomplete' && received.length <= MAX_CLIENT_HELLO + 64) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      if (peek.kind !== 'hello') {
        this.logger.debug({ port: plan.port, reason: peek.kind === 'invalid' ? peek.reason : 'ClientHello too large' }, 'tls stream: no usable ClientHello');
        return void socket.destroy();
      }
      const route = plan.routeFor(peek.serverName);
      if (route === undefined || !route.allows(socket.remoteAddress)) return void socket.destroy();
      proxyTcpStream(socket, route, received);
    };
    const onClose = (): void => clearTimeout(timer);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  }
}

function ignoreError(): void {
  // 'close' follows and carries the consequences.
}
