// echo-basic's TCP mode (README §7.3): a welcome line, then PING / IS_TLS / TEST line commands.
import net from 'node:net';
import tls from 'node:tls';
import type { PodIdentity } from './echo-body.js';
import { listen, type Closer } from './listen.js';

export const tcpWelcome = 'Gateway API Test TCP Server\n';

function serve(socket: net.Socket, id: PodIdentity, ports: { tcp: number; tls: number }) {
  socket.on('error', () => undefined);
  socket.write(tcpWelcome);
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      const isTls = socket instanceof tls.TLSSocket;
      if (line === 'PING') socket.write('PONG\n');
      else if (line === 'IS_TLS') socket.write(`${isTls}\n`);
      else if (line === 'TEST') {
        const t = socket instanceof tls.TLSSocket ? socket : undefined;
        socket.write(
          JSON.stringify({
            namespace: id.namespace,
            ingress: id.ingress,
            service: id.service,
            pod: id.pod,
            tcpport: String(ports.tcp),
            tlsport: String(ports.tls),
            isTLS: isTls,
            tls: t
              ? {
                  version: t.getProtocol() ?? '',
                  serverName: (t as tls.TLSSocket & { servername?: string | false }).servername || '',
                  negotiatedProtocol: t.alpnProtocol || '',
                  curves: '',
                  cipherSuite: t.getCipher()?.standardName ?? '',
                }
              : {},
          }) + '\n',
        );
      } else socket.write(`unknown command: ${line}\n`);
    }
  });
}

export async function startTcpEcho(opts: {
  ip: string;
  id: PodIdentity;
  tls?: { cert: string; key: string };
  port?: number;
  tlsPort?: number;
}): Promise<Closer[]> {
  const ports = { tcp: opts.port ?? 3000, tls: opts.tlsPort ?? 8443 };
  const closers = [
    await listen(
      net.createServer((s) => serve(s, opts.id, ports)),
      ports.tcp,
      opts.ip,
    ),
  ];
  if (opts.tls) {
    const server = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key }, (s) => serve(s, opts.id, ports));
    server.on('tlsClientError', () => undefined);
    closers.push(await listen(server, ports.tls, opts.ip));
  }
  return closers;
}
