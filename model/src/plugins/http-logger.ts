import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { IncludeFields } from './log-fields.js';

export const httpLoggerSpec = definePluginSpec({
  name: 'http-logger',
  priority: 410,
  version: '1.0',
  description: 'Sends log entries in batches, as a JSON array POSTed to an HTTP collector.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      uri: Type.String({ pattern: '^https?://[^\\s]+$', description: 'the collector, http:// or https://' }),
      authHeader: Type.Optional(Type.String({ minLength: 1, pattern: '^[^\\r\\n]*$', writeOnly: true, description: 'sent as the Authorization header' })),
      timeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 300, default: 3, description: 'seconds per POST' })),
      includeFields: Type.Optional(IncludeFields),
      batchMaxSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'entries per POST' })),
      inactiveTimeout: Type.Optional(
        Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 5, description: 'seconds without a new entry before a partial batch is sent' }),
      ),
      bufferDuration: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 60, description: 'seconds the oldest entry may wait' })),
      maxRetryCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'retries of a failed POST before its batch is dropped' })),
      retryDelay: Type.Optional(Type.Number({ minimum: 0, maximum: 3600, default: 1, description: 'seconds between retries' })),
      maxQueue: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 10_000_000,
          default: 10_000,
          description: 'entries held per worker; when full, new entries are dropped and counted',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  check: (c) =>
    c.batchMaxSize !== undefined && c.maxQueue !== undefined && c.batchMaxSize > c.maxQueue
      ? [{ path: '/batchMaxSize', message: 'must not exceed maxQueue' }]
      : [],
  example: { uri: 'http://127.0.0.1:9080/logs', batchMaxSize: 100, inactiveTimeout: 2, maxRetryCount: 2 },
  notes: [
    'Never blocks or slows traffic: entries go to a bounded in-memory queue per worker; when it is full the newest entries are dropped and counted.',
    'A batch is sent when it reaches batchMaxSize, when no entry came for inactiveTimeout, or when its oldest entry waited bufferDuration; one POST at a time per queue, over keep-alive connections.',
    'A POST fails on a network error, a timeout or a status >= 300; it is retried maxRetryCount times, then its batch is dropped and counted.',
    'Routes with the same http-logger config share one queue in each worker.',
  ],
});
