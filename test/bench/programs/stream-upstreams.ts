/**
 * The stream bench's upstreams, loopback only: a TCP echo, a TCP source that streams 64 KiB
 * chunks to every connection until it closes (bulk download), and a UDP echo.
 * Prints {"tcpEcho":N,"tcpSource":N,"udpEcho":N} once all listen.
 */
import dgram from 'node:dgram';
import net from 'node:net';

const chunk = Buffer.alloc(64 * 1024, 'b');

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

const echo = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => undefined);
  socket.pipe(socket);
});
const source = net.createServer((socket) => {
  socket.on('error', () => undefined);
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  pump();
});
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
console.log(JSON.stringify({ tcpEcho: await listen(echo), tcpSource: await listen(source), udpEcho: udp.address().port }));
