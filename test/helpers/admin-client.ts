/** The admin API as tests call it: JSON in, `{status, body, headers}` out. */
export interface AdminReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

/**
 * A client for the admin API of a control plane started by the test. `port` is read on every
 * call, so a test may pass a getter before the process has started.
 */
export function adminClient(port: () => number | undefined, key = 'test-key') {
  return async function api(method: string, path: string, body?: unknown): Promise<AdminReply> {
    const res = await fetch(`http://127.0.0.1:${port()}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

/** PUTs a route on a path prefix to `upstreamId` with the given plugins; throws with the API's answer unless it is stored. */
export async function putPluginRoute(
  api: ReturnType<typeof adminClient>,
  id: string,
  prefix: string,
  plugins: Record<string, unknown>,
  upstreamId = 'echo',
): Promise<void> {
  const r = await api('PUT', `/routes/${id}`, { match: { paths: [{ type: 'prefix', value: prefix }] }, backends: [{ upstreamId }], plugins });
  if (r.status >= 300) throw new Error(`PUT /routes/${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
}
