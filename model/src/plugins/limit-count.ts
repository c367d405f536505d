import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { limitKeyFields, limitKeyIssues } from './limit-key.js';

export const limitCountSpec = definePluginSpec({
  name: 'limit-count',
  priority: 1002,
  version: '1.0',
  description: 'Allows at most `count` requests per `timeWindow` seconds for each key (client address, consumer, ...).',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      count: Type.Integer({ minimum: 1 }),
      timeWindow: Type.Integer({ minimum: 1, description: 'seconds' }),
      ...limitKeyFields,
      rejectedCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 429 })),
      rejectedMsg: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      policy: Type.Optional(
        Type.Union([Type.Literal('local'), Type.Literal('redis')], {
          default: 'local',
          description: 'local: counted in this data plane; redis: shared by every data plane using the same Redis',
        }),
      ),
      redisHost: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'policy redis: the Redis host (required)' })),
      redisPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 6379 })),
      redisPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, writeOnly: true })),
      redisDatabase: Type.Optional(Type.Integer({ minimum: 0, maximum: 1024, default: 0 })),
      redisTimeout: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 60_000,
          default: 1000,
          description: 'milliseconds a Redis call may take before the request is allowed without counting',
        }),
      ),
      showLimitQuotaHeader: Type.Optional(Type.Boolean({ default: true })),
    },
    { additionalProperties: false },
  ),
  check: (c) => [
    ...limitKeyIssues(c),
    ...(c.policy === 'redis' && c.redisHost === undefined ? [{ path: '/redisHost', message: 'is required with policy "redis"' }] : []),
    ...((c.policy ?? 'local') === 'local' && c.redisHost !== undefined ? [{ path: '/redisHost', message: 'is only used with policy "redis"' }] : []),
  ],
  example: { count: 100, timeWindow: 60, key: 'consumer_name', rejectedCode: 429 },
  notes: [
    'Fixed windows; responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds).',
    'A key that resolves to nothing (no consumer, no such header) falls back to the client address.',
    'policy local is exact for the whole data-plane instance (all its workers together). With one worker the counters live in that worker (no extra cost); with several, each hit is counted by the primary process over the cluster IPC channel (the hits of one event-loop turn travel in one message, one batch per worker in flight), which costs roughly 20-50 µs of CPU per request and fails open (allows, logs once) if the primary does not answer within 1 s. Counters live as long as the data plane, across worker restarts.',
    'policy redis: one atomic script per request (INCR, and PEXPIRE on the first hit of a window) on the key `sluice:limit-count:<route>:<config hash>:<key>`, so every data plane with this route shares one limit.',
    'policy redis fails open: when Redis is unreachable or slower than redisTimeout the request is allowed (without quota headers) and a warning is logged (at most one every 10 s per Redis).',
    'Counters survive config changes as long as the route id and this config stay the same.',
  ],
});
