import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const clientControlSpec = definePluginSpec({
  name: 'client-control',
  priority: 22000,
  version: '1.0',
  description: 'Limits what a client may send: the largest request body.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    { maxBodySize: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes; a larger Content-Length gets 413' })) },
    { additionalProperties: false },
  ),
  example: { maxBodySize: 1_048_576 },
  notes: [
    'Checks Content-Length up front; a chunked body without a length is counted by the proxy as it streams.',
    "In a global rule it is the default of every route; a route's own `client-control` replaces it, so `{}` on a route lifts a global limit.",
  ],
});
