import net from 'node:net';
import tls from 'node:tls';

/**
 * A raw client connection for tests that must write exact bytes (request smuggling, pipelining,
 * malformed heads): write bytes, wait until a condition on everything received holds, see the
 * close. `tlsOptions` connects with TLS (SNI, client certificates, ALPN) instead.
 */
export class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  closed = false;
  closedAt = 0;
  private waiters: (() => void)[] = [];

  constructor(port: number, tlsOptions?: tls.ConnectionOptions) {
    this.socket = tlsOptions ? tls.connect({ host: '127.0.0.1', port, ...tlsOptions }) : net.connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (c: Buffer) => {
      this.received = Buffer.concat([this.received, c]);
      this.wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this.wake();
    });
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  write(data: string | Buffer): this {
    this.socket.write(data);
    return this;
  }

  /** Resolves when `check` holds, rejects after `timeoutMs`. */
  until(check: (c: RawClient) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.text)}`)), timeoutMs);
      const poll = () => {
        if (check(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(poll);
      };
      poll();
    });
  }

  untilClosed(timeoutMs = 5000): Promise<void> {
    return this.until((c) => c.closed, timeoutMs, 'the server to close');
  }

  /** Number of responses with this status line so far. */
  count(status: string): number {
    return this.text.split(`HTTP/1.1 ${status}`).length - 1;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
