import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { limitKeyFields, limitKeyIssues } from './limit-key.js';

export const limitReqSpec = definePluginSpec({
  name: 'limit-req',
  priority: 1001,
  version: '1.0',
  description:
    'Limits the request rate per key with a leaky bucket: `rate` requests per second, `burst` more are delayed (or let through at once with nodelay).',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      rate: Type.Number({ exclusiveMinimum: 0, description: 'requests per second' }),
      burst: Type.Number({ minimum: 0, description: 'requests over the rate that are delayed instead of rejected' }),
      ...limitKeyFields,
      rejectedCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 503 })),
      rejectedMsg: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      nodelay: Type.Optional(Type.Boolean({ default: false, description: 'let requests within the burst through without delay' })),
    },
    { additionalProperties: false },
  ),
  check: limitKeyIssues,
  example: { rate: 10, burst: 5, key: 'remote_addr', rejectedCode: 503 },
  notes: [
    'As nginx limit_req: each key has a bucket that drains at `rate`; a request over the rate waits (excess / rate seconds) while the excess is within `burst`, and is rejected with rejectedCode beyond it.',
    'Rejected requests do not fill the bucket. Buckets are per worker process in this version.',
  ],
});
