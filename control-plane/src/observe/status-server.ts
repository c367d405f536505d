import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

export interface StatusServerOptions {
  port: number;
  host?: string;
  registry: client.Registry;
  /** Why the process cannot serve yet, or undefined when it can. */
  notReady: () => Promise<string | undefined>;
}

/**
 * The control plane's status port: `/healthz` (the process runs), `/readyz` (200 when it can
 * serve: admin API up and etcd answering; 503 naming the reason) and `/metrics` (Prometheus).
 */
export async function startStatusServer({ port, host, registry, notReady }: StatusServerOptions) {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      return void notReady().then(
        (reason) => send(reason ? 503 : 200, 'application/json', JSON.stringify(reason ? { status: 'not ready', reason } : { status: 'ready' }) + '\n'),
        (err: Error) => send(503, 'application/json', JSON.stringify({ status: 'not ready', reason: err.message }) + '\n'),
      );
    }
    if (path === '/metrics') {
      return void registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (err: Error) => send(500, 'text/plain', `${err.message}\n`),
      );
    }
    send(404, 'application/json', JSON.stringify({ error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] }) + '\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host ?? '::', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
