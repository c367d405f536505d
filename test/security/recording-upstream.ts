import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';

/** One request as the upstream's own HTTP parser (node:http, strict) understood it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  /** Lower-case names, as node:http joins them. */
  headers: http.IncomingHttpHeaders;
  /** `[name, value, ...]` exactly as received. */
  rawHeaders: string[];
  body: Buffer;
  /** Trailer fields of a chunked body. */
  trailers: Record<string, string | undefined>;
  /** Body bytes received so far (the body is whole once `complete`). */
  bodyBytes: number;
  /** The whole message arrived (a request cut mid-body stays incomplete). */
  complete: boolean;
  /** Which upstream connection carried it (1, 2, ...). */
  connection: number;
  /** It asked to switch protocols. */
  upgrade: boolean;
}

/**
 * How the upstream answers an upgrade request: `101` completes a WebSocket-like handshake and
 * echoes bytes; `200` answers a plain response and keeps parsing the connection as HTTP (an
 * upstream that declined the upgrade: anything the gateway relays afterwards is a request).
 */
export type UpgradeAnswer = '101' | '200';

export interface RecordingUpstream {
  name: string;
  port: number;
  /** Every request this upstream parsed, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Every byte received, per connection. */
  readonly raw: Buffer[];
  upgradeAnswer: UpgradeAnswer;
  /** Forgets what was recorded. */
  reset(): void;
  /** The paths (request-targets) received, for short assertions. */
  urls(): string[];
  close(): Promise<void>;
}

/**
 * An HTTP/1.1 upstream that records what it parses — the judge of every security vector: what
 * matters is not the status the client saw but what reached the upstream. It answers each
 * request with 200 and a JSON description (`x-upstream: <name>`), keep-alive.
 */
export async function startRecordingUpstream(name: string): Promise<RecordingUpstream> {
  const requests: ReceivedRequest[] = [];
  const raw: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const connectionIds = new WeakMap<net.Socket, number>();

  const record = (req: http.IncomingMessage, upgrade: boolean): ReceivedRequest => {
    const entry: ReceivedRequest = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
      bodyBytes: 0,
      // An upgrade has no body to wait for.
      complete: upgrade,
      trailers: {},
      connection: connectionIds.get(req.socket) ?? 0,
      upgrade,
    };
    requests.push(entry);
    return entry;
  };
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const chunks: Buffer[] = [];
    // Recorded as soon as the head is parsed: a request cut mid-body still reached the upstream.
    const entry = record(req, false);
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      entry.bodyBytes += c.length;
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      entry.body = Buffer.concat(chunks);
      entry.trailers = req.trailers;
      entry.complete = true;
      const body = JSON.stringify({ upstream: name, method: entry.method, url: entry.url, headers: entry.headers, bodyLength: entry.body.length });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('connection', (socket: net.Socket) => {
    const id = ++connections;
    connectionIds.set(socket, id);
    sockets.add(socket);
    raw[id - 1] = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      raw[id - 1] = Buffer.concat([raw[id - 1], chunk]);
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    record(req, true);
    socket.on('error', () => undefined);
    if (state.upgradeAnswer === '101') {
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
      return;
    }
    // Declines the upgrade and keeps speaking HTTP on the connection: whatever the gateway
    // relays next is parsed (and recorded) as a request.
    const body = JSON.stringify({ upstream: name, declined: req.url });
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: ${name}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.unshift(head);
    server.emit('connection', socket);
  });
  const state = { upgradeAnswer: '101' as UpgradeAnswer };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    requests,
    raw,
    get upgradeAnswer() {
      return state.upgradeAnswer;
    },
    set upgradeAnswer(v: UpgradeAnswer) {
      state.upgradeAnswer = v;
    },
    reset() {
      requests.length = 0;
    },
    urls: () => requests.map((r) => r.url),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
