import type { adminClient } from './admin-client.js';

/**
 * Through the admin API: upstream `u` on the echo server at `echoPort` and route `r` sending
 * every path to it. Throws with the API's answer unless both are created.
 */
export async function putEchoRoute(api: ReturnType<typeof adminClient>, echoPort: number): Promise<void> {
  const writes: [string, unknown][] = [
    ['/upstreams/u', { nodes: [{ host: '127.0.0.1', port: echoPort }] }],
    ['/routes/r', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'u' }] }],
  ];
  for (const [path, doc] of writes) {
    const r = await api('PUT', path, doc);
    if (r.status !== 201) throw new Error(`PUT ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
}
