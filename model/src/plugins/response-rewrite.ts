import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { HeaderEdits } from './header-edits.js';

export const responseRewriteSpec = definePluginSpec({
  name: 'response-rewrite',
  priority: 899,
  version: '1.0',
  description: "Changes the response's status, headers or body before it reaches the client.",
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      statusCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 598 })),
      body: Type.Optional(Type.String({ maxLength: 1_048_576, description: "replaces the upstream's body" })),
      bodyBase64: Type.Optional(Type.Boolean({ default: false, description: 'body is base64 (binary bodies)' })),
      headers: Type.Optional(HeaderEdits),
    },
    { additionalProperties: false },
  ),
  check: (c) => (c.bodyBase64 && c.body !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(c.body) ? [{ path: '/body', message: 'is not base64' }] : []),
  example: { statusCode: 200, headers: { set: { 'X-Served-By': 'sluice' }, remove: ['Server'] } },
  notes: [
    'A replaced body drops the upstream body and its Content-Length/Transfer-Encoding/Content-Encoding.',
    'Also applies to responses made by other plugins (401, 429, ...).',
  ],
});
