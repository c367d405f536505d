/**
 * Load for the stream/TLS bench, bounded by time. Usage:
 *   stream-load.ts <mode> <port> <connections> <seconds>
 * modes: tcp-bulk (download from a source, counts bytes), tcp-rtt (32-byte messages, closed
 * loop per connection), udp (32-byte datagrams, closed loop per client socket; a datagram
 * lost for 200 ms is resent and counted as an error), tls-handshake (new connection, full
 * handshake, close; `connections` loops in parallel, no session reuse), tls-resume (the same,
 * each handshake resuming the previous one's session). An optional 5th argument is the server name.
 * Prints {"ops":N,"bytes":B,"seconds":S,"errors":E}.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';

const [mode, portArg, connectionsArg, secondsArg, serverNameArg] = process.argv.slice(2);
/** The TLS server name (picks the certificate: bench.test is ECDSA P-256, rsa.bench.test RSA 2048). */
const serverName = serverNameArg ?? 'bench.test';
const port = Number(portArg);
const connections = Number(connectionsArg);
const seconds = Number(secondsArg);
if (!mode || !port || !connections || !seconds) throw new Error('usage: stream-load.ts <mode> <port> <connections> <seconds>');
const payload = Buffer.alloc(32, 'x');
let ops = 0;
let bytes = 0;
let errors = 0;
let running = true;
const closers: (() => void)[] = [];

function tcpConnect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function tcpBulk(): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: connections }, tcpConnect));
  for (const s of sockets) {
    s.on('data', (d: Buffer) => (bytes += d.length));
    s.on('error', () => running && errors++);
    closers.push(() => s.destroy());
  }
}

async function tcpRtt(): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: connections }, tcpConnect));
  for (const s of sockets) {
    let pending = payload.length;
    s.on('data', (d: Buffer) => {
      pending -= d.length;
      if (pending > 0 || !running) return;
      ops++;
      pending = payload.length;
      s.write(payload);
    });
    s.on('error', () => running && errors++);
    s.write(payload);
    closers.push(() => s.destroy());
  }
}

async function udp(): Promise<void> {
  for (let i = 0; i < connections; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    let timer: NodeJS.Timeout | undefined;
    const send = (): void => {
      s.send(payload, port, '127.0.0.1');
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!running) return;
        errors++;
        send();
      }, 200);
    };
    s.on('message', () => {
      if (!running) return;
      ops++;
      send();
    });
    s.on('error', () => errors++);
    closers.push(() => {
      clearTimeout(timer);
      s.close();
    });
    send();
  }
}

function tlsHandshakes(): void {
  const loop = (): void => {
    if (!running) return;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: serverName, rejectUnauthorized: false }, () => {
      ops++;
      socket.destroy();
      setImmediate(loop);
    });
    socket.once('error', () => {
      if (running) errors++;
      socket.destroy();
      setImmediate(loop);
    });
  };
  for (let i = 0; i < connections; i++) loop();
}

/**
 * Resumed handshakes: each loop keeps the session (TLS 1.3 ticket) its last connection received
 * and offers it on the next; only handshakes the server resumed count, a full one is an error.
 * The first handshake of each loop is full and not counted.
 */
function tlsResumedHandshakes(): void {
  const loop = (session: Buffer | undefined): void => {
    if (!running) return;
    let next = session;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: serverName, rejectUnauthorized: false, session }, () => {
      if (session !== undefined) {
        if (socket.isSessionReused()) ops++;
        else if (running) errors++;
      }
      // TLS 1.3 sends its ticket after the handshake: after the first (full) one, wait for it.
      // After a resumption, go on at once with the newest ticket seen: a server need not issue
      // another (OpenSSL under Node issues none unless the ticket key asks for renewal), and the
      // ticket it resumed from may be offered again.
      if (next !== undefined && (next !== session || session !== undefined)) return void finish();
      const wait = setTimeout(finish, 200);
      socket.once('session', () => {
        clearTimeout(wait);
        finish();
      });
    });
    socket.on('session', (s: Buffer) => (next = s));
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      socket.destroy();
      setImmediate(() => loop(next));
    };
    socket.once('error', () => {
      if (running) errors++;
      socket.destroy();
      setImmediate(() => loop(undefined));
    });
  };
  for (let i = 0; i < connections; i++) loop(undefined);
}

const starters: Record<string, () => Promise<void> | void> = {
  'tcp-bulk': tcpBulk,
  'tcp-rtt': tcpRtt,
  udp,
  'tls-handshake': tlsHandshakes,
  'tls-resume': tlsResumedHandshakes,
};
const start = starters[mode];
if (start === undefined) throw new Error(`unknown mode ${mode}`);
await start();
const started = performance.now();
setTimeout(() => {
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ops, bytes, seconds: elapsed, errors }));
  for (const close of closers) close();
  process.exit(0);
}, seconds * 1000);
