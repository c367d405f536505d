import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const requestIdSpec = definePluginSpec({
  name: 'request-id',
  priority: 12015,
  version: '1.0',
  description: 'Gives every request an id, sent to the upstream and back to the client.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      headerName: Type.Optional(Type.String({ default: 'X-Request-Id', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" })),
      includeInResponse: Type.Optional(Type.Boolean({ default: true })),
      algorithm: Type.Optional(Type.Union([Type.Literal('uuid')], { default: 'uuid' })),
    },
    { additionalProperties: false },
  ),
  example: { headerName: 'X-Request-Id', includeInResponse: true },
  notes: ['An id the client sent in the header is kept, not replaced (as in APISIX).'],
});
