import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { limitKeyFields, limitKeyIssues } from './limit-key.js';

export const limitConnSpec = definePluginSpec({
  name: 'limit-conn',
  priority: 1003,
  version: '1.0',
  description: 'Limits the requests in flight per key: `conn` at once, `burst` more are delayed, the rest rejected.',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      conn: Type.Integer({ minimum: 1, description: 'requests in flight allowed at once' }),
      burst: Type.Integer({ minimum: 0, description: 'requests over conn that are delayed instead of rejected' }),
      defaultConnDelay: Type.Number({ exclusiveMinimum: 0, maximum: 60, description: 'seconds of delay per conn-sized step over the limit' }),
      ...limitKeyFields,
      rejectedCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 503 })),
      rejectedMsg: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    },
    { additionalProperties: false },
  ),
  check: limitKeyIssues,
  example: { conn: 100, burst: 50, defaultConnDelay: 0.1, key: 'remote_addr' },
  notes: [
    'A request counts from the access phase until it is finished (the log phase), also when a later plugin answered it.',
    'Over conn (within burst) a request waits defaultConnDelay x ceil((inFlight - conn) / conn) seconds before going on; over conn + burst it gets rejectedCode (503).',
    'Counts are per worker process in this version.',
  ],
});
