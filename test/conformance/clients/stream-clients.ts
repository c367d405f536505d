// TCP (line protocol, optionally over TLS), UDP, DNS, bare TLS handshakes and WebSocket echo.
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { goCheckServerIdentity } from './go-hostname-check.js';

/** Reads lines from a socket. */
function lineReader(socket: net.Socket) {
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  socket.on('data', (c: Buffer) => {
    buffered += c.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const ready = lines.shift();
      if (ready !== undefined) return resolve(ready);
      const timer = setTimeout(() => reject(new Error('timed out waiting for a line')), timeoutMs);
      const onClose = () => reject(new Error('connection closed'));
      socket.once('close', onClose);
      waiting.push((line) => {
        clearTimeout(timer);
        socket.off('close', onClose);
        resolve(line);
      });
    });
}

export interface TcpEchoResult {
  welcome: string;
  isTls?: boolean;
  test: { namespace?: string; pod?: string; tls?: { serverName?: string } };
}

/** The TCP echo dialogue: welcome, PING/PONG, IS_TLS, TEST (the full one unless `short`). */
export async function tcpEchoDialogue(opts: {
  address: string;
  port: number;
  tls?: { serverName: string; ca?: string };
  timeoutMs: number;
  short?: boolean;
}): Promise<TcpEchoResult> {
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const s = opts.tls
      ? tls.connect({
          host: opts.address,
          port: opts.port,
          servername: opts.tls.serverName,
          ca: opts.tls.ca,
          minVersion: 'TLSv1.2',
          rejectUnauthorized: !!opts.tls.ca,
          checkServerIdentity: goCheckServerIdentity,
        })
      : net.connect(opts.port, opts.address);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connect timed out'));
    }, opts.timeoutMs);
    s.once(opts.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  socket.on('error', () => undefined);
  try {
    const next = lineReader(socket);
    const welcome = await next(opts.timeoutMs);
    let isTls: boolean | undefined;
    if (!opts.short) {
      socket.write('PING\n');
      const pong = await next(opts.timeoutMs);
      if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}`);
      socket.write('IS_TLS\n');
      isTls = (await next(opts.timeoutMs)) === 'true';
    }
    socket.write('TEST\n');
    const test = JSON.parse(await next(opts.timeoutMs));
    return { welcome: welcome + '\n', isTls, test };
  } finally {
    socket.destroy();
  }
}

/** One datagram and its reply (or a timeout error). */
export function udpExchange(opts: { address: string; port: number; payload: Buffer; timeoutMs: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no UDP reply'));
    }, opts.timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.send(opts.payload, opts.port, opts.address);
  });
}

/** A DNS A query for `name`. */
export function dnsQuery(name: string): Buffer {
  const id = Math.floor(Math.random() * 65535);
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** A TLS handshake: 'ok', or the error's code (ECONNRESET for EOF/reset) and message. */
export function tlsDial(opts: {
  address: string;
  port: number;
  serverName: string;
  timeoutMs: number;
}): Promise<{ ok: boolean; code?: string; message?: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: opts.address, port: opts.port, servername: opts.serverName, minVersion: 'TLSv1.2' });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: 'handshake timed out' });
    }, opts.timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: true });
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: false, code: err.code, message: err.message });
    });
  });
}

/** An EOF, unexpected EOF or reset during connect/handshake: what connection_rejected wants. */
export const isRejectedDial = (r: { ok: boolean; code?: string; message?: string }) =>
  !r.ok && (r.code === 'ECONNRESET' || r.code === 'EPIPE' || /socket disconnected|socket hang up|EOF/i.test(r.message ?? ''));

/** Sends each message and expects it back identical (text as text, binary as binary). */
export async function websocketEcho(opts: {
  address: string;
  port: number;
  host: string;
  origin: string;
  messages: { type: string; data?: string; data_bytes?: number[] }[];
  timeoutMs: number;
}): Promise<void> {
  const ws = new WebSocket(`ws://${opts.address}:${opts.port}/ws`, { headers: { Host: opts.host }, origin: opts.origin, handshakeTimeout: opts.timeoutMs });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    });
    for (const m of opts.messages) {
      const payload = m.type === 'binary' ? Buffer.from(m.data_bytes ?? []) : (m.data ?? '');
      const reply = new Promise<{ data: Buffer; binary: boolean }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no echo')), opts.timeoutMs);
        ws.once('message', (data, binary) => {
          clearTimeout(timer);
          resolve({ data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary });
        });
      });
      ws.send(payload, { binary: m.type === 'binary' });
      const got = await reply;
      const expected = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
      if (got.binary !== (m.type === 'binary') || !got.data.equals(expected)) throw new Error(`${m.type} frame not echoed identically`);
    }
  } finally {
    ws.terminate();
  }
}
