// echo-basic's UDP mode (README §7.4) and a tiny DNS responder standing in for CoreDNS.
import dgram from 'node:dgram';
import type { PodIdentity } from './echo-body.js';
import type { Closer } from './listen.js';

async function bindUdp(ip: string, port: number, onMessage: (sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo) => void): Promise<Closer> {
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => undefined);
  sock.on('message', (msg, rinfo) => onMessage(sock, msg, rinfo));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, ip, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return { close: () => new Promise<void>((done) => sock.close(() => done())) };
}

export function udpEchoReply(payload: Buffer, id: PodIdentity): Buffer {
  return Buffer.from(JSON.stringify({ request: payload.toString('utf8'), namespace: id.namespace, ingress: id.ingress, service: id.service, pod: id.pod }));
}

export async function startUdpEcho(opts: { ip: string; id: PodIdentity; port?: number }): Promise<Closer[]> {
  return [await bindUdp(opts.ip, opts.port ?? 8080, (sock, msg, rinfo) => sock.send(udpEchoReply(msg, opts.id), rinfo.port, rinfo.address))];
}

/** Answers any A question with one A record (the client's address, like CoreDNS `whoami`). */
export function dnsAnswer(query: Buffer, clientIp: string): Buffer | undefined {
  if (query.length < 12) return undefined;
  // Question section: labels until the zero byte, then QTYPE and QCLASS.
  let i = 12;
  while (i < query.length && query[i] !== 0) i += query[i] + 1;
  const questionEnd = i + 5;
  if (questionEnd > query.length) return undefined;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, no error
  header.writeUInt16BE(1, 4); // one question
  header.writeUInt16BE(1, 6); // one answer
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  const ip = clientIp.split('.').map(Number);
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, ...(ip.length === 4 ? ip : [127, 0, 0, 1])]);
  return Buffer.concat([header, query.subarray(12, questionEnd), answer]);
}

export async function startDnsResponder(opts: { ip: string; port?: number }): Promise<Closer[]> {
  return [
    await bindUdp(opts.ip, opts.port ?? 53, (sock, msg, rinfo) => {
      const reply = dnsAnswer(msg, rinfo.address);
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    }),
  ];
}
