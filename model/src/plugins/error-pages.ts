import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { Id } from '../meta.js';

export const errorPagesSpec = definePluginSpec({
  name: 'error-pages',
  priority: 990,
  version: '1.0',
  description:
    'When the upstream answers one of the listed statuses, the client gets the answer of an error-page upstream instead (ingress-nginx custom-http-errors with a default backend).',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      upstreamId: Id,
      statuses: Type.Array(Type.Integer({ minimum: 300, maximum: 599 }), {
        minItems: 1,
        maxItems: 300,
        uniqueItems: true,
        description: 'upstream statuses replaced by the error page',
      }),
      headers: Type.Optional(
        Type.Record(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), Type.String({ maxLength: 1024 }), {
          description: 'fixed headers sent to the error-page upstream (X-Namespace, X-Ingress-Name, ...)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  upstreamRefs: (c) => [c.upstreamId],
  example: { upstreamId: 'error-pages', statuses: [404, 503], headers: { 'X-Namespace': 'shop' } },
  notes: [
    'The error-page upstream gets the request with the original method and headers, the path `/`, and X-Code (the upstream status), X-Format (the Accept header), X-Original-URI, X-Request-ID, plus `headers`.',
    'Its status, headers and body go to the client; the original upstream body is read and dropped.',
    'Only requests without a body are replayed to the error-page upstream; a request with a body gets the upstream answer unchanged.',
    'When the error-page upstream has no available node, the original answer goes to the client.',
  ],
});
