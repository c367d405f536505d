import type { FastifyInstance } from 'fastify';
import { GatewayError } from '@sluice/model';
import type { LiveState, WaitOutcome } from '../store/live-state.js';
import { parseDuration } from './parse-duration.js';

const DEFAULT_WAIT_MS = 5_000;
const MAX_WAIT_MS = 60_000;

type Query = Record<string, string | string[] | undefined>;
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

/**
 * `?wait=applied&timeout=5s` on any write: the reply leaves once every live data plane serves
 * what was written (seen through the live state's etcd watch, not by polling), or when the
 * timeout passed; `X-Sluice-Applied` says which. When a data plane refuses a written document
 * the reply is `422 GW_ERR_NOT_APPLIED` naming it and the data plane's reason: the write
 * stands (its revision is in `X-Mod-Revision`), it is just not served. The query is checked
 * before the write, so a bad timeout writes nothing.
 */
export function installWaitApplied(app: FastifyInstance, live: LiveState): void {
  app.addHook('preHandler', async (request) => {
    const query = (request.query ?? {}) as Query;
    const wait = single(query.wait);
    if (wait === undefined || request.method === 'GET' || request.method === 'HEAD') return;
    if (wait !== 'applied') throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `wait must be "applied", not ${JSON.stringify(wait)}` });
    const timeout = single(query.timeout);
    const ms = timeout === undefined ? DEFAULT_WAIT_MS : parseDuration(timeout, 'timeout');
    if (ms > MAX_WAIT_MS) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `timeout may be at most ${MAX_WAIT_MS / 1000}s` });
    request.waitMs = ms;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.waitMs === undefined || request.writeRevision === undefined || reply.statusCode >= 300) return payload;
    const outcome = await live.waitApplied(request.writeRevision, request.waitMs, request.writtenKeys).catch((): WaitOutcome => ({ state: 'pending' }));
    reply.header('X-Sluice-Applied', String(outcome.state === 'applied'));
    if (outcome.state !== 'rejected') return payload;
    const [first, ...more] = outcome.rejections;
    const detail = `data plane ${first.dataplane} rejects ${first.key}: ${first.reason}${more.length ? ` (and ${more.length} more)` : ''}`;
    const error = new GatewayError('GW_ERR_NOT_APPLIED', { revision: request.writeRevision, detail }, outcome.rejections);
    reply.status(error.status).type('application/json; charset=utf-8');
    return JSON.stringify(error.toJSON());
  });
}
