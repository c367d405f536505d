/**
 * The minimal Node socket proxy the issue compares against: `pipe()` both ways for TCP, one
 * upstream socket per client address for UDP. Usage: node-stream-pipe.ts <tcp|udp> <upstream port>
 * Prints {"port":N}.
 */
import dgram from 'node:dgram';
import net from 'node:net';

const [mode, upstreamArg] = process.argv.slice(2);
const upstreamPort = Number(upstreamArg);
if (mode === 'tcp') {
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port })));
} else {
  const socket = dgram.createSocket('udp4');
  const sessions = new Map<string, dgram.Socket>();
  socket.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let upstream = sessions.get(key);
    if (upstream === undefined) {
      upstream = dgram.createSocket('udp4');
      upstream.on('message', (reply) => socket.send(reply, rinfo.port, rinfo.address));
      upstream.connect(upstreamPort, '127.0.0.1');
      sessions.set(key, upstream);
      upstream.once('connect', () => upstream!.send(msg));
      return;
    }
    upstream.send(msg);
  });
  socket.bind(0, '127.0.0.1', () => console.log(JSON.stringify({ port: socket.address().port })));
}
