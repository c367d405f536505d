import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Etcd3 } from 'etcd3';
import { documentKey, type Route, type Upstream } from '@sluice/model';

/**
 * `gateway up`'s built-in example: a tiny hello service on a loopback port, and an upstream
 * + route `example` (path prefix /example) pointing at it, so the first curl works. The
 * documents are ordinary admin documents: edit or delete them like any other.
 */
export async function startExampleService(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        message: 'Hello from the Sluice example service',
        method: req.method,
        url: req.url,
        host: req.headers.host,
        forwardedFor: req.headers['x-forwarded-for'],
      }) + '\n',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Writes the example documents: always refreshes the upstream's port, creates the route once. */
export async function writeExampleDocuments(client: Etcd3, prefix: string, port: number): Promise<void> {
  const now = new Date().toISOString();
  const upstreamKey = documentKey(prefix, 'upstreams', 'example');
  const routeKey = documentKey(prefix, 'routes', 'example');
  const existing = await client.get(upstreamKey).string();
  const previous = existing ? (JSON.parse(existing) as Upstream) : undefined;
  if (previous && previous.labels?.example !== 'true') return; // someone reused the id: leave it alone
  const upstream: Upstream = {
    id: 'example',
    name: 'example service (gateway up)',
    labels: { example: 'true' },
    owner: { kind: 'admin' },
    nodes: [{ host: '127.0.0.1', port, weight: 1 }],
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await client.put(upstreamKey).value(JSON.stringify(upstream));
  if (!(await client.get(routeKey).string())) {
    const route: Route = {
      id: 'example',
      name: 'example route (gateway up)',
      labels: { example: 'true' },
      owner: { kind: 'admin' },
      match: { paths: [{ type: 'prefix', value: '/example' }] },
      backends: [{ upstreamId: 'example', weight: 1 }],
      createdAt: now,
      updatedAt: now,
    };
    await client.put(routeKey).value(JSON.stringify(route));
  }
}
