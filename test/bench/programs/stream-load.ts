/**
 * Load for the stream/TLS bench, bounded by time. Usage:
 *   stream-load.ts <mode> <port> <connections> <seconds>
 * modes: tcp-bulk (download from a source, counts bytes), tcp-rtt (32-byte messages, closed
 * loop per connection), udp (32-byte datagrams, closed loop per client socket; a datagram
 * lost for 200 ms is resent and counted as an error), tls-handshake (new connection, full
 * handshake, close; `connections` loops in parallel, no session reuse).
 * Prints {"ops":N,"bytes":B,"seconds":S,"errors":E}.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';

const [mode, portArg, connectionsArg, secondsArg] = process.argv.slice(2);
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
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'bench.test', rejectUnauthorized: false }, () => {
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

const starters: Record<string, () => Promise<void> | void> = { 'tcp-bulk': tcpBulk, 'tcp-rtt': tcpRtt, udp, 'tls-handshake': tlsHandshakes };
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
