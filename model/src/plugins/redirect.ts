import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { regexIssue } from '../validate.js';

export const redirectSpec = definePluginSpec({
  name: 'redirect',
  priority: 900,
  version: '1.0',
  description: 'Answers with a redirect instead of proxying: a fixed URI, a regex rewrite, HTTP to HTTPS, or another scheme, host or port for the same path.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      uri: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Location: a path or an absolute URL' })),
      regexUri: Type.Optional(Type.Tuple([Type.String({ minLength: 1 }), Type.String()], { description: '[pattern, replacement] on the path' })),
      httpToHttps: Type.Optional(Type.Boolean({ description: 'redirect plain HTTP requests to https://host/same-path (301 unless code is set)' })),
      scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: "Location scheme (default: the request's)" })),
      host: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 253,
          pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s/:?#@\\[\\]]+)$',
          description: "Location host without port (default: the request's Host)",
        }),
      ),
      port: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 65535,
          description: "Location port, left out when it is the scheme's default (default: the request Host's port, dropped when the scheme or host changes)",
        }),
      ),
      code: Type.Optional(Type.Integer({ minimum: 300, maximum: 399, default: 302 })),
      appendQueryString: Type.Optional(Type.Boolean({ default: false, description: "append the request's query string to the Location" })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    const set = [c.uri, c.regexUri, c.httpToHttps ? true : undefined].filter((v) => v !== undefined).length;
    const origin = c.scheme !== undefined || c.host !== undefined || c.port !== undefined;
    const issues = c.regexUri ? regexIssue('/regexUri/0', c.regexUri[0]) : [];
    if (set > 1 || (set === 0 && !origin)) issues.push({ path: '/', message: 'needs exactly one of uri, regexUri, httpToHttps (or scheme, host, port alone)' });
    if (origin && c.httpToHttps) issues.push({ path: '/httpToHttps', message: 'cannot be combined with scheme, host or port' });
    if (origin && c.uri !== undefined && !c.uri.startsWith('/')) issues.push({ path: '/uri', message: 'must be a path when scheme, host or port is set' });
    if (c.httpToHttps && c.appendQueryString) issues.push({ path: '/appendQueryString', message: 'is implied by httpToHttps' });
    return issues;
  },
  example: { httpToHttps: true },
  notes: [
    'httpToHttps only redirects requests that arrived over plain HTTP; the port is dropped (443 is assumed).',
    'A regexUri that does not match lets the request through to the upstream.',
    "With scheme, host or port the Location is absolute: each one defaults to the request's own (host from the Host header); the path is uri, the regexUri result, or the request's path. A port equal to the scheme's default (80, 443) is left out.",
  ],
});
