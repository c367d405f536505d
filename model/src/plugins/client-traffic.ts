import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

/**
 * How the data plane treats what clients send before any route is chosen: path
 * normalization, header names, header sizes and connection lifetimes. These apply before
 * matching (a route cannot change how its own path was normalized), so the plugin lives in
 * global rules only; the data plane reads it when it compiles a table, and a change applies
 * to the next request (connection limits: to the next request or connection) without a
 * restart. Flags of `gateway data-plane` give the defaults this document overrides.
 * Envoy Gateway's ClientTrafficPolicy is the model.
 */
export const clientTrafficSpec = definePluginSpec({
  name: 'client-traffic',
  priority: 23000,
  version: '1.0',
  description: 'Global: path normalization, header names and sizes, client keep-alive (applies before routing).',
  attachTo: ['global-rule'],
  schema: Type.Object(
    {
      path: Type.Optional(
        Type.Object(
          {
            escapedSlashes: Type.Optional(
              Type.Union([Type.Literal('redirect'), Type.Literal('reject'), Type.Literal('keep'), Type.Literal('decode')], {
                description:
                  'a path with %2F or %5C: redirect (307) to the decoded, normalized path (default); reject (400); keep as written (an upstream that decodes them may see another path than the one routed); decode and forward',
              }),
            ),
            mergeSlashes: Type.Optional(Type.Boolean({ description: 'merge repeated slashes (//a///b → /a/b) before matching and forwarding; default true' })),
          },
          { additionalProperties: false },
        ),
      ),
      headersWithUnderscores: Type.Optional(
        Type.Union([Type.Literal('drop'), Type.Literal('allow'), Type.Literal('reject')], {
          description: 'request headers whose name has an underscore: drop them (default, as nginx), allow them, or reject the request (400)',
        }),
      ),
      maxHeaderSize: Type.Optional(
        Type.Integer({ minimum: 1024, maximum: 1_048_576, description: 'bytes of request line plus headers; more gets 431 (default 16384)' }),
      ),
      headersTimeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600, description: 'seconds to receive a whole request head (default 60)' })),
      keepAliveTimeout: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 86_400,
          description: 'seconds an idle client connection stays open between requests; 0 closes after each response (default 65)',
        }),
      ),
      keepAliveRequests: Type.Optional(
        Type.Integer({ minimum: 1, description: 'requests served on one client connection before it is closed (default unlimited)' }),
      ),
    },
    { additionalProperties: false },
  ),
  example: { path: { escapedSlashes: 'reject', mergeSlashes: true }, headersWithUnderscores: 'drop', maxHeaderSize: 32768, keepAliveTimeout: 75 },
  notes: [
    'Global rules only. When several global rules carry it, their fields merge, the newest rule last.',
    'The request body limit is `client-control.maxBodySize`; in a global rule it is the default for every route.',
  ],
});
