import type { FastifyInstance } from 'fastify';
import type { LiveEvent, LiveState } from '../store/live-state.js';

const API_ROOT = '/api/v1';
const PING_MS = 15_000;
const RETRY_MS = 2_000;

/**
 * `GET /events`: server-sent events from the live state's one shared etcd watch.
 * `event: change` for document writes, `event: dataplane` for registrations, a `: ping`
 * comment every 15 s so proxies keep the connection. The dashboard reads it with fetch()
 * streaming, since EventSource cannot send the X-API-Key header.
 */
export async function eventStream(app: FastifyInstance, { live, pingMs = PING_MS }: { live: LiveState; pingMs?: number }): Promise<void> {
  const open = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    `${API_ROOT}/events`,
    { schema: { tags: ['admin'], summary: 'Server-sent events: document changes and data-plane registrations' } },
    async (request, reply) => {
      await live.ready();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n\n`);
      const send = (event: LiveEvent) => {
        if (!res.writableEnded) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      };
      const unsubscribe = live.subscribe(send);
      const ping = setInterval(() => res.write(': ping\n\n'), pingMs);
      const end = () => {
        clearInterval(ping);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      res.on('close', end);
      res.on('error', end);
    },
  );
}
