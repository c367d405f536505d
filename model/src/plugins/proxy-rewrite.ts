import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { regexIssue } from '../validate.js';
import { HeaderEdits } from './header-edits.js';

/** What proxy-rewrite changes; traffic-split entries take the same (per-backend rewrites). */
export const ProxyRewriteConfig = Type.Object(
  {
    uri: Type.Optional(Type.String({ pattern: '^/', maxLength: 4096, description: 'new upstream path (the query string is kept)' })),
    regexUri: Type.Optional(
      Type.Tuple([Type.String({ minLength: 1 }), Type.String()], {
        description: '[pattern, replacement] applied to the path; $1.. are capture groups. Ignored when uri is set',
      }),
    ),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 260, description: 'Host header sent upstream' })),
    method: Type.Optional(Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PURGE'].map((m) => Type.Literal(m)))),
    headers: Type.Optional(HeaderEdits),
  },
  { additionalProperties: false },
);

export const proxyRewriteSpec = definePluginSpec({
  name: 'proxy-rewrite',
  priority: 1008,
  version: '1.0',
  description: 'Rewrites what is sent to the upstream: path, host, method and headers.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: ProxyRewriteConfig,
  check: (c) => (c.regexUri ? regexIssue('/regexUri/0', c.regexUri[0]) : []),
  example: { regexUri: ['^/api/(.*)', '/v2/$1'], host: 'backend.internal', headers: { set: { 'X-Api-Version': '2' } } },
  notes: [
    'Runs in the rewrite phase; the proxy applies the result when it builds the upstream request head.',
    'The raw query string is kept; a path from `uri` or `regexUri` replaces only the path.',
    'A `regexUri` pattern that does not match leaves the path unchanged.',
  ],
});
