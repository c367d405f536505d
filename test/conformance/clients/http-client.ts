// The suite's HTTP round trip with Node's own clients: HTTP/1.1 (node:http/https, exact Host
// header, raw request-URI) and HTTP/2 over TLS or cleartext prior knowledge (node:http2).
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { trustOptions } from './go-hostname-check.js';

export interface HttpExchange {
  protocol: 'HTTP' | 'HTTPS' | 'H2' | 'H2C_PRIOR_KNOWLEDGE';
  address: string;
  port: number;
  method: string;
  /** Host header / :authority. */
  host: string;
  path: string;
  headers: Record<string, string>;
  tls?: { serverName: string; ca: string; cert?: string; key?: string };
  timeoutMs: number;
}

export interface HttpReply {
  status: number;
  /** Lower-case name → values joined with `,` (as the suite compares them). */
  headers: Record<string, string>;
  body: string;
}

function joinRaw(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    out[name] = name in out ? `${out[name]},${raw[i + 1]}` : raw[i + 1];
  }
  return out;
}

function http1(x: HttpExchange): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: x.address,
      port: x.port,
      method: x.method,
      path: x.path,
      headers: { Host: x.host, ...x.headers },
      setHost: false,
      agent: false,
      timeout: x.timeoutMs,
    };
    const trust = trustOptions(x.tls?.ca, x.tls?.serverName ?? x.host);
    const { verifyAfterHandshake, ...trustTls } = trust;
    const req =
      x.protocol === 'HTTPS'
        ? https.request({ ...common, servername: x.tls?.serverName, cert: x.tls?.cert, key: x.tls?.key, ...trustTls })
        : http.request(common);
    if (verifyAfterHandshake) {
      req.on('socket', (s) =>
        s.once('secureConnect', () => {
          const err = verifyAfterHandshake(s as import('node:tls').TLSSocket);
          if (err) req.destroy(err);
        }),
      );
    }
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: joinRaw(res.rawHeaders), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end();
  });
}

function h2(x: HttpExchange): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const authority = x.protocol === 'H2' ? `https://${x.address}:${x.port}` : `http://${x.address}:${x.port}`;
    const { verifyAfterHandshake, ...trustTls } = trustOptions(x.tls?.ca, x.tls?.serverName ?? x.host);
    const session = http2.connect(
      authority,
      x.protocol === 'H2' ? { servername: x.tls?.serverName, cert: x.tls?.cert, key: x.tls?.key, ...trustTls, ALPNProtocols: ['h2'] } : {},
    );
    if (verifyAfterHandshake && x.protocol === 'H2') {
      session.once('connect', () => {
        const err = verifyAfterHandshake(session.socket as import('node:tls').TLSSocket);
        if (err) session.destroy(err);
      });
    }
    const timer = setTimeout(() => {
      session.destroy();
      reject(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' }));
    }, x.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.on('error', fail);
    const lower = Object.fromEntries(Object.entries(x.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const stream = session.request(
      { ':method': x.method, ':path': x.path, ':authority': x.host, ':scheme': x.protocol === 'H2' ? 'https' : 'http', ...lower },
      { endStream: true },
    );
    stream.on('error', fail);
    stream.on('response', (headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        clearTimeout(timer);
        session.close();
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : String(v);
        resolve({ status: Number(headers[':status']), headers: out, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
  });
}

export function sendHttp(x: HttpExchange): Promise<HttpReply> {
  return x.protocol === 'H2' || x.protocol === 'H2C_PRIOR_KNOWLEDGE' ? h2(x) : http1(x);
}
