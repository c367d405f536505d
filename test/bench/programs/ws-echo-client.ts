/**
 * WebSocket load client: N connections, each sends a 32-byte message and awaits its echo in a
 * closed loop for S seconds. Usage: ws-echo-client.ts <url> <connections> <seconds>
 * Prints {"messages":M,"seconds":S,"errors":E}: M counts completed round trips.
 */
import WebSocket from 'ws';

const [url, connectionsArg, secondsArg] = process.argv.slice(2);
if (!url) throw new Error('usage: ws-echo-client.ts <url> <connections> <seconds>');
const connections = Number(connectionsArg ?? 50);
const seconds = Number(secondsArg ?? 5);
const payload = Buffer.alloc(32, 'x');

let messages = 0;
let errors = 0;
let running = false;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url!, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
  });
}

const sockets = await Promise.all(Array.from({ length: connections }, open));
for (const ws of sockets) {
  ws.on('error', () => errors++);
  ws.on('close', () => {
    if (running) errors++;
  });
  ws.on('message', () => {
    if (!running) return;
    messages++;
    ws.send(payload);
  });
}
running = true;
const started = performance.now();
for (const ws of sockets) ws.send(payload);
setTimeout(() => {
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ messages, seconds: elapsed, errors }));
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}, seconds * 1000);
