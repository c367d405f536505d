import type { FastifyInstance } from 'fastify';
import { GatewayError } from '@sluice/model';
import type { LiveState } from '../store/live-state.js';
import { parseDuration } from './parse-duration.js';

const DEFAULT_WAIT_MS = 5_000;
const MAX_WAIT_MS = 60_000;

type Query = Record<string, string | string[] | undefined>;
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

/**
 * `?wait=applied&timeout=5s` on any write: the reply leaves once every live data plane has
 * applied the write's revision (seen through the live state's etcd watch, not by polling),
 * or when the timeout passed; `X-Sluice-Applied` says which. The query is checked before
 * the write, so a bad timeout writes nothing.
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
    const applied = await live.waitApplied(request.writeRevision, request.waitMs).catch(() => false);
    reply.header('X-Sluice-Applied', String(applied));
    return payload;
  });
}
