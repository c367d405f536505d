import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { regexIssue } from '../validate.js';

export const corsSpec = definePluginSpec({
  name: 'cors',
  priority: 4000,
  version: '1.0',
  description: 'Cross-origin resource sharing: answers preflight requests and adds CORS headers to responses.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      allowOrigins: Type.Optional(Type.String({ default: '*', description: "comma-separated origins (scheme://host[:port]) or '*'" })),
      allowOriginsByRegex: Type.Optional(
        Type.Array(Type.String({ minLength: 1 }), { maxItems: 64, description: 'origins matching any of these regexes are allowed too' }),
      ),
      allowMethods: Type.Optional(Type.String({ default: '*', description: "comma-separated methods or '*'" })),
      allowHeaders: Type.Optional(Type.String({ default: '*', description: "comma-separated request headers or '*'" })),
      exposeHeaders: Type.Optional(Type.String({ description: 'comma-separated response headers the browser may read' })),
      maxAge: Type.Optional(Type.Integer({ minimum: -1, default: 5, description: 'seconds a preflight answer may be cached' })),
      allowCredential: Type.Optional(Type.Boolean({ default: false })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    const issues = (c.allowOriginsByRegex ?? []).flatMap((r, i) => regexIssue(`/allowOriginsByRegex/${i}`, r));
    if (c.allowCredential && (c.allowOrigins ?? '*') === '*' && !c.allowOriginsByRegex?.length)
      issues.push({ path: '/allowOrigins', message: "cannot be '*' when allowCredential is true (browsers refuse it)" });
    return issues;
  },
  example: { allowOrigins: 'https://app.example.com', allowMethods: 'GET,POST', allowCredential: true, maxAge: 600 },
  notes: [
    'An OPTIONS request with an Origin header is a preflight: answered 204 by the gateway, never proxied.',
    'Origins not allowed get no CORS headers (the browser then blocks the response).',
    "'*' in allowMethods/allowHeaders is answered as '*' (browsers honour it without credentials); with allowCredential it echoes what the preflight asked for.",
    "Any origin with credentials: allowOriginsByRegex ['.*'] (the allowed Origin is echoed, never '*').",
  ],
});
