import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/ports.js';
import { ProcessRegistry } from './process-registry.js';
import { connectionsPerProcess } from './socket-owners.js';

describe('connectionsPerProcess', () => {
  const registry = new ProcessRegistry();
  const sockets: net.Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await registry.stopAll();
  });

  it('counts the established connections a server process holds on its port', async () => {
    const server = registry.spawn('server', process.execPath, [
      '-e',
      `const s = require('node:net').createServer(() => {}).listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: s.address().port })));`,
    ]);
    const port = Number((await server.waitForLine(/"port":(\d+)/, 10_000))[1]);
    for (let i = 0; i < 3; i++) {
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      await new Promise((r) => socket.once('connect', r));
    }
    await waitFor(() => connectionsPerProcess([server.pid], port).get(server.pid) === 3, 5000, '3 accepted connections');
    // This test process holds the client ends, whose local ports differ: none counted here.
    expect(connectionsPerProcess([process.pid], port).get(process.pid)).toBe(0);
  });
});
