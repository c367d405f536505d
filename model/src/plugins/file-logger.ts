import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { IncludeFields } from './log-fields.js';

export const fileLoggerSpec = definePluginSpec({
  name: 'file-logger',
  priority: 399,
  version: '1.0',
  description: 'Writes one JSON access-log line per request, to stdout or to a file.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      path: Type.Optional(
        Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^\\u0000]*$', default: '-', description: 'file to append to; "-" is stdout' }),
      ),
      includeFields: Type.Optional(IncludeFields),
    },
    { additionalProperties: false },
  ),
  example: { path: '/var/log/sluice/access.log', includeFields: ['time', 'routeId', 'method', 'path', 'status', 'durationMs', 'clientAddress'] },
  notes: [
    'Use it in a global rule for an access log of every routed request.',
    'Each worker keeps ONE buffered, non-blocking stream per file (shared by all routes using that path); lines from several workers interleave whole.',
    'Log rotation: move the file away, then send SIGHUP to the worker processes; each reopens its files at the same path.',
    'A file that cannot be opened or written loses its lines and never affects traffic.',
  ],
});
