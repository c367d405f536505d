import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

const headerNames = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), { maxItems: 64, description }));

export const forwardAuthSpec = definePluginSpec({
  name: 'forward-auth',
  priority: 2002,
  version: '1.0',
  description: 'Asks an external auth service about each request; a 2xx answer lets it through, anything else is sent to the client.',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      uri: Type.String({ pattern: '^https?://[^\\s/?#]+', maxLength: 4096, description: 'the auth service, http:// or https://' }),
      requestHeaders: headerNames('client request headers passed to the auth service'),
      upstreamHeaders: headerNames('auth response headers copied to the upstream request when allowed'),
      clientHeaders: headerNames('auth response headers copied to the client when denied'),
      timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000, default: 3000, description: 'milliseconds for the auth answer' })),
      keepalive: Type.Optional(Type.Boolean({ default: true, description: 'reuse connections to the auth service' })),
      keepaliveTimeout: Type.Optional(
        Type.Integer({ minimum: 1000, maximum: 600_000, default: 60_000, description: 'milliseconds an idle connection is kept' }),
      ),
      keepalivePool: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, default: 5, description: 'connections per worker' })),
      statusOnError: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 403, description: 'status when the auth service cannot be reached' })),
      allowDegradation: Type.Optional(Type.Boolean({ default: false, description: 'let requests through when the auth service cannot be reached' })),
      signin: Type.Optional(
        Type.Object(
          {
            url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 4096, description: 'where a 401 from the auth service sends the client (302)' }),
            redirectParam: Type.Optional(
              Type.String({ pattern: '^[A-Za-z0-9_.~-]+$', maxLength: 128, default: 'rd', description: 'query parameter that carries the original URL' }),
            ),
          },
          { additionalProperties: false, description: 'ingress-nginx auth-signin: a 401 becomes a redirect to a sign-in page' },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  example: { uri: 'http://auth.internal:9000/check', requestHeaders: ['Authorization'], upstreamHeaders: ['X-User-Id'], clientHeaders: ['Location'] },
  notes: [
    'The auth service gets a GET with the chosen request headers plus X-Forwarded-Proto, X-Forwarded-Method, X-Forwarded-Host, X-Forwarded-Uri and X-Forwarded-For.',
    'A 2xx answer: the request goes on, with upstreamHeaders copied from the answer (removed when absent, so a client cannot forge them).',
    'Any other answer: its status and body go to the client, with clientHeaders copied from it.',
    'With signin, a 401 answer becomes a 302 to signin.url with `<redirectParam>=<the original URL>` added to its query.',
    'Unreachable or slower than timeout: statusOnError (403), or the request goes on with allowDegradation.',
  ],
});
