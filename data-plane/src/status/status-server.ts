import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';

export interface StatusProvider {
  /** True once every worker serves a config. */
  ready(): boolean;
  /** JSON body for /readyz and /status. */
  describe(): Promise<Record<string, unknown>>;
  /** Prometheus text for /metrics. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** The status port: /healthz (process alive), /readyz (config loaded), /metrics, /status. */
export async function startStatusServer(port: number, host: string | undefined, provider: StatusProvider) {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (err: unknown) => json(500, { error: String(err) });
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else if (url === '/readyz') {
      provider.describe().then((d) => json(provider.ready() ? 200 : 503, { ready: provider.ready(), ...d }), fail);
    } else if (url === '/status') {
      provider.describe().then((d) => json(200, d), fail);
    } else if (url === '/metrics') {
      provider.metrics().then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      }, fail);
    } else {
      json(404, { error: 'not found', paths: ['/healthz', '/readyz', '/metrics', '/status'] });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export const promContentType = client.register.contentType;
