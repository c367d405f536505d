// Real upstreams and clients for the stream and HTTPS suites: named TCP/UDP/TLS echo servers,
// openssl-made certificates for chosen names, and small socket clients.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { waitFor } from '../helpers/ports.js';

export interface TcpEcho {
  name: string;
  port: number;
  /** The first bytes of every connection, in order (to check PROXY protocol headers). */
  firstBytes: Buffer[];
  close(): Promise<void>;
}

/** Echoes every chunk back as `<name>:<chunk>`, so a test sees which node it reached. */
export async function startTcpEcho(name: string, listenOpts: { tls?: { cert: string; key: string } } = {}): Promise<TcpEcho> {
  const sockets = new Set<net.Socket>();
  const firstBytes: Buffer[] = [];
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      if (first) firstBytes.push(chunk);
      first = false;
      socket.write(`${name}:${chunk.toString('latin1')}`);
    });
    socket.on('end', () => socket.end());
  };
  const server = listenOpts.tls
    ? tls.createServer({ cert: listenOpts.tls.cert, key: listenOpts.tls.key }, onSocket)
    : net.createServer({ allowHalfOpen: true }, onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    firstBytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface UdpEcho {
  port: number;
  /** Distinct client ports seen (one per gateway session). */
  peers: Set<number>;
  close(): Promise<void>;
}

/** Answers every datagram with `<name>:<datagram>`. */
export async function startUdpEcho(name: string): Promise<UdpEcho> {
  const socket = dgram.createSocket('udp4');
  const peers = new Set<number>();
  socket.on('message', (msg, rinfo) => {
    peers.add(rinfo.port);
    socket.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, peers, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

/** A TCP client that sends a message and resolves with the reply (the next chunk). */
export class LineClient {
  readonly socket: net.Socket;
  closed = false;
  private waiting: ((data: string) => void) | undefined;
  private received = '';

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.flush();
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(port: number, opts: { tls?: tls.ConnectionOptions } = {}): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = opts.tls
        ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts.tls }, () => resolve(new LineClient(socket)))
        : net.connect({ host: '127.0.0.1', port }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends `msg` and waits for the echo ending in it; rejects if the connection closes first. */
  ask(msg: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${msg}`)), timeoutMs);
      this.socket.once('close', () => reject(new Error(`closed before a reply to ${msg}`)));
      this.waiting = (data) => {
        if (!data.endsWith(msg)) return;
        clearTimeout(timer);
        this.waiting = undefined;
        this.received = '';
        resolve(data);
      };
      this.socket.write(msg);
      this.flush();
    });
  }

  private flush(): void {
    this.waiting?.(this.received);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Sends `msg` on a new connection to `port` until a reply comes (a stream port opens shortly
 * after its route is written) and resolves with the first reply.
 */
export async function askWhenOpen(port: number, msg: string, timeoutMs = 15_000): Promise<string> {
  let reply = '';
  await waitFor(
    async () => {
      const client = await LineClient.connect(port).catch(() => undefined);
      if (!client) return false;
      reply = await client.ask(msg, 2_000).catch(() => '');
      client.close();
      return reply !== '';
    },
    timeoutMs,
    `port ${port} answering`,
  );
  return reply;
}

/** Sends one message on a new connection and resolves with the reply, then closes it. */
export async function askOnce(port: number, message: string): Promise<string> {
  const line = await LineClient.connect(port);
  try {
    return await line.ask(message);
  } finally {
    line.close();
  }
}

/** Whether a TCP connection to the port is accepted and then kept (true) or refused (false). */
export function tcpPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface TestCerts {
  ca: string;
  /** PEM cert + key for each requested name (the certificate's CN is the name). */
  leaf(name: string): { cert: string; key: string };
  cleanup(): void;
}

/** A throwaway CA and leaf certificates whose CN and SAN are the given names (openssl). */
export function makeCerts(names: string[]): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-stream-pki-'));
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=sluice-stream-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  const leaves = new Map<string, { cert: string; key: string }>();
  names.forEach((name, i) => {
    const base = f(`leaf${i}`);
    fs.writeFileSync(`${base}.ext`, `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${base}.key`, '-out', `${base}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${base}.ext`,
      '-out',
      `${base}.crt`,
    );
    leaves.set(name, { cert: fs.readFileSync(`${base}.crt`, 'utf8'), key: fs.readFileSync(`${base}.key`, 'utf8') });
  });
  return {
    ca: fs.readFileSync(f('ca.crt'), 'utf8'),
    leaf: (name) => leaves.get(name)!,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The data plane's /status body (workers carry their rejected documents). */
export async function rejectedDocuments(statusPort: number): Promise<Record<string, string>> {
  const res = await fetch(`http://127.0.0.1:${statusPort}/status`);
  const body = (await res.json()) as { workers: { rejected?: Record<string, string> }[] };
  return Object.assign({}, ...body.workers.map((w) => w.rejected ?? {}));
}

/** UDP clients bound on loopback, each collecting the replies it receives. */
export interface UdpClients {
  sockets: dgram.Socket[];
  replies: string[][];
  /** Sends `c<i>-hello` from every client still unanswered until all have a reply (the port opens asynchronously). */
  greet(port: number): Promise<void>;
  close(): void;
}

export async function openUdpClients(count: number): Promise<UdpClients> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<dgram.Socket>((resolve) => {
          const s = dgram.createSocket('udp4');
          s.bind(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const replies = sockets.map(() => [] as string[]);
  sockets.forEach((s, i) => s.on('message', (m) => replies[i].push(m.toString())));
  return {
    sockets,
    replies,
    greet: (port) =>
      waitFor(
        () => {
          sockets.forEach((s, i) => replies[i].length === 0 && s.send(`c${i}-hello`, port, '127.0.0.1'));
          return replies.every((r) => r.length > 0);
        },
        5000,
        'udp port answering',
      ),
    close: () => sockets.forEach((s) => s.close()),
  };
}
