// echo-basic's HTTP side for one emulated pod (README §7.1): HTTP/1.1 + WebSocket on 3000, h2c on
// 3001, HTTPS (h2 and HTTP/1.1, optional client-certificate verification) on 8443.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { WebSocketServer } from 'ws';
import { echoBody, echoLogLine, parseEchoSetHeader, parseGoDuration, type PodIdentity, type TlsInfo } from './echo-body.js';
import { listen, type Closer } from './listen.js';

export interface HttpEchoOptions {
  ip: string;
  id: PodIdentity;
  log: string[];
  tls?: { cert: string; key: string; clientCa?: string };
  ports?: { http: number; h2c: number; https: number };
}

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tlsInfoOf(socket: tls.TLSSocket): TlsInfo {
  const peer = socket.getPeerX509Certificate?.();
  return {
    version: socket.getProtocol() ?? '',
    serverName: (socket as tls.TLSSocket & { servername?: string | false }).servername || '',
    negotiatedProtocol: socket.alpnProtocol || '',
    cipherSuite: socket.getCipher()?.standardName ?? '',
    peerCertificates: peer ? [peer.toString()] : [],
  };
}

/** Resets the TCP connection (SO_LINGER 0), as echo-basic does for connection-error retries. */
function resetConnection(req: AnyRequest) {
  const socket = (req as http2.Http2ServerRequest).stream?.session?.socket ?? (req as http.IncomingMessage).socket;
  const s = socket as net.Socket & { resetAndDestroy?: () => void };
  if (s.resetAndDestroy) s.resetAndDestroy();
  else s.destroy();
}

export function echoHandler(opts: HttpEchoOptions, httpPort: string) {
  const retries = new Map<string, number>();
  return async (req: AnyRequest, res: AnyResponse) => {
    const url = new URL(req.url ?? '/', 'http://echo');
    const send = (status: number, body = '', contentType?: string) => {
      if (contentType) res.setHeader('Content-Type', contentType);
      res.writeHead(status);
      res.end(body);
    };
    if (url.pathname === '/health') return send(200, 'OK');
    const statusMatch = /^\/status\/(.*)$/.exec(url.pathname);
    if (statusMatch) {
      const code = Number(statusMatch[1]);
      return /^\d{3}$/.test(statusMatch[1]) && code >= 100 && code < 600 ? send(code) : send(400);
    }
    if (url.pathname.startsWith('/retry/')) {
      const uuid = url.searchParams.get('uuid');
      const succeedAfter = Number(url.searchParams.get('succeedAfter'));
      if (!uuid || !Number.isInteger(succeedAfter) || url.searchParams.get('succeedAfter') === null) return send(400, 'uuid and succeedAfter are required');
      const seen = retries.get(uuid) ?? 0;
      if (seen < succeedAfter) {
        retries.set(uuid, seen + 1);
        const delay = parseGoDuration(url.searchParams.get('delayRetry'));
        if (delay) await sleep(delay);
        const code = url.searchParams.get('responseCode');
        if (code) return send(Number(code));
        return resetConnection(req);
      }
    }
    const delay = parseGoDuration(url.searchParams.get('delay'));
    if (delay) await sleep(delay);
    const socket = (req as http2.Http2ServerRequest).stream?.session?.socket ?? (req as http.IncomingMessage).socket;
    const tlsInfo = socket instanceof tls.TLSSocket ? tlsInfoOf(socket) : undefined;
    const host = (req.headers.host as string | undefined) ?? ((req as http2.Http2ServerRequest).authority || '');
    const body = echoBody(
      {
        path: req.url ?? '/',
        host,
        method: req.method ?? 'GET',
        proto: req.httpVersion === '2.0' ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`,
        rawHeaders: req.rawHeaders,
        httpPort,
        tls: tlsInfo,
      },
      opts.id,
    );
    opts.log.push(echoLogLine(req.url ?? '/', `${socket.remoteAddress}:${socket.remotePort}`));
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    for (const [name, value] of parseEchoSetHeader(req.headers['x-echo-set-header'] as string | undefined)) {
      try {
        res.setHeader(name, value);
      } catch {
        /* a header name Node refuses: echo-basic would send it, we cannot */
      }
    }
    res.writeHead(200);
    res.end(JSON.stringify(body, null, 1));
  };
}

/** Frames back as they came, on `/ws`. */
function attachWebSocket(server: http.Server | http2.Http2SecureServer) {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => undefined);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    if (new URL(req.url ?? '/', 'http://echo').pathname !== '/ws') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return wss;
}

const guard = (handler: ReturnType<typeof echoHandler>) => (req: AnyRequest, res: AnyResponse) => {
  handler(req, res).catch(() => {
    try {
      res.destroy?.();
    } catch {
      /* already gone */
    }
  });
};

export async function startHttpEcho(opts: HttpEchoOptions): Promise<Closer[]> {
  const ports = opts.ports ?? { http: 3000, h2c: 3001, https: 8443 };
  const closers: Closer[] = [];

  const h1 = http.createServer(guard(echoHandler(opts, String(ports.http))));
  attachWebSocket(h1);
  closers.push(await listen(h1, ports.http, opts.ip));

  // 3001: h2c with prior knowledge; HTTP/1.1 gets 400 unless it asks for the h2c upgrade.
  const h2c = http2.createServer(guard(echoHandler(opts, String(ports.h2c))));
  const h2cH1 = http.createServer((req, res) => {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'h2c') {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      return res.end('Expected h2c request');
    }
    // The emulation answers the upgrade request itself over HTTP/1.1 (no 101 switch).
    guard(echoHandler(opts, String(ports.h2c)))(req, res);
  });
  const preface = Buffer.from('PRI * HTTP/2.0');
  const sniff = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('readable', () => {
      const head: Buffer | null = socket.read() ?? Buffer.alloc(0);
      if (!head) return;
      socket.unshift(head);
      (head.subarray(0, preface.length).equals(preface) ? h2c : h2cH1).emit('connection', socket);
    });
  });
  closers.push(await listen(sniff, ports.h2c, opts.ip));

  if (opts.tls) {
    const https = http2.createSecureServer(
      {
        cert: opts.tls.cert,
        key: opts.tls.key,
        allowHTTP1: true,
        ...(opts.tls.clientCa ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
      },
      guard(echoHandler(opts, String(ports.https))),
    );
    https.on('secureConnection', (s: tls.TLSSocket) => {
      s.on('error', () => undefined);
      // echo-basic verifies a client certificate when one is given (VerifyClientCertIfGiven).
      if (opts.tls?.clientCa && s.getPeerCertificate() && Object.keys(s.getPeerCertificate()).length && !s.authorized) s.destroy();
    });
    attachWebSocket(https);
    closers.push(await listen(https, ports.https, opts.ip));
  }
  for (const server of [h1, h2c, h2cH1]) server.on('clientError', (_e: Error, socket: net.Socket) => socket.destroy());
  return closers;
}
