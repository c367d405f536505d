import type { FastifyInstance } from 'fastify';
import type { AdminReply } from './admin-client.js';

/**
 * The admin API of an in-process app (`buildAdmin`) through Fastify's `inject`, with the key
 * `defaultKey` unless a call names another. A string body is sent as YAML (imports), anything
 * else as JSON; a JSON reply is parsed, any other is returned as text. `app` is read on every
 * call, so a test may pass a getter before `beforeAll` has built the app.
 */
export function injectAdmin(app: () => FastifyInstance, defaultKey: string) {
  return async function call(method: string, url: string, body?: unknown, key = defaultKey): Promise<AdminReply> {
    const res = await app().inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' }) },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, String(value));
    const json = headers.get('content-type')?.includes('json');
    return { status: res.statusCode, body: json && res.body ? JSON.parse(res.body) : res.body, headers };
  };
}
