/**
 * The fastest plain Node proxy of PERFORMANCE.md: a node:http server in front of an undici
 * Pool using pool.stream. It is the baseline Sluice is measured against.
 * Usage: node --import tsx node-proxy.ts <upstream origin>   (prints {"port":N} once listening)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

const origin = process.argv[2];
if (!origin) throw new Error('usage: node-proxy.ts <upstream origin>');
const pool = new Pool(origin, { connections: 256, keepAliveTimeout: 60_000 });

function endToEnd(headers: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function respond(data: Dispatcher.StreamFactoryData<http.ServerResponse>) {
  const res = data.opaque;
  res.writeHead(data.statusCode, endToEnd(data.headers));
  return res;
}

const server = http.createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.stream(
    { path: req.url!, method: req.method as Dispatcher.HttpMethod, headers: endToEnd(req.headers), body: hasBody ? req : null, opaque: res },
    respond,
    (err) => {
      if (!err) return;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('bad gateway\n');
      } else res.destroy();
    },
  );
});
server.keepAliveTimeout = 120_000;
server.on('clientError', (_err, socket) => socket.destroy());
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
