import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoServer {
  port: number;
  /** Requests served so far. */
  count: number;
  close(): Promise<void>;
}

/**
 * An HTTP upstream that answers with JSON describing the request it received and its own
 * name, so tests can assert which node served a request and what the proxy sent.
 */
export async function startHttpEcho(
  name: string,
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
  /** node:http server options (e.g. a larger `maxHeaderSize` than its 16 KiB default). */
  serverOptions: http.ServerOptions = {},
): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const state = { count: 0 };
  const server = http.createServer(serverOptions, (req, res) => {
    state.count++;
    if (handler?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        server: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get count() {
      return state.count;
    },
    set count(v: number) {
      state.count = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A WebSocket echo upstream (the `ws` library), answering every message with the same bytes. */
export async function startWsEcho(): Promise<{ port: number; server: WebSocketServer; close(): Promise<void> }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}
