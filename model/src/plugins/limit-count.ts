import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

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
      keyType: Type.Optional(Type.Union([Type.Literal('var'), Type.Literal('var_combination'), Type.Literal('constant')], { default: 'var' })),
      key: Type.Optional(
        Type.String({
          default: 'remote_addr',
          minLength: 1,
          description: 'var: remote_addr, consumer_name, route_id, host, uri, server_addr, http_<header>, arg_<param>; var_combination: "$remote_addr $http_x_user"; constant: any text',
        }),
      ),
      rejectedCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 429 })),
      rejectedMsg: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      policy: Type.Optional(Type.Union([Type.Literal('local')], { default: 'local' })),
      showLimitQuotaHeader: Type.Optional(Type.Boolean({ default: true })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    if ((c.keyType ?? 'var') !== 'var' || c.key === undefined) return [];
    return /^(remote_addr|consumer_name|route_id|host|uri|server_addr|http_[a-z0-9_]+|arg_[A-Za-z0-9_.-]+)$/.test(c.key)
      ? []
      : [{ path: '/key', message: `is not a known variable: ${JSON.stringify(c.key)}` }];
  },
  example: { count: 100, timeWindow: 60, key: 'consumer_name', rejectedCode: 429 },
  notes: [
    'Fixed windows; responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds).',
    'A key that resolves to nothing (no consumer, no such header) falls back to the client address.',
    'policy local counts per worker process in this version (N workers allow up to N x count).',
    'Counters survive config changes as long as the route id and this config stay the same.',
  ],
});
