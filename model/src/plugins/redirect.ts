import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { regexIssue } from '../validate.js';

export const redirectSpec = definePluginSpec({
  name: 'redirect',
  priority: 900,
  version: '1.0',
  description: 'Answers with a redirect instead of proxying: a fixed URI, a regex rewrite, or HTTP to HTTPS.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      uri: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Location: a path or an absolute URL' })),
      regexUri: Type.Optional(Type.Tuple([Type.String({ minLength: 1 }), Type.String()], { description: '[pattern, replacement] on the path' })),
      httpToHttps: Type.Optional(Type.Boolean({ description: 'redirect plain HTTP requests to https://host/same-path (301 unless code is set)' })),
      code: Type.Optional(Type.Integer({ minimum: 300, maximum: 399, default: 302 })),
      appendQueryString: Type.Optional(Type.Boolean({ default: false, description: "append the request's query string to the Location" })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    const set = [c.uri, c.regexUri, c.httpToHttps ? true : undefined].filter((v) => v !== undefined).length;
    const issues = c.regexUri ? regexIssue('/regexUri/0', c.regexUri[0]) : [];
    if (set !== 1) issues.push({ path: '/', message: 'needs exactly one of uri, regexUri, httpToHttps' });
    if (c.httpToHttps && c.appendQueryString) issues.push({ path: '/appendQueryString', message: 'is implied by httpToHttps' });
    return issues;
  },
  example: { httpToHttps: true },
  notes: [
    'httpToHttps only redirects requests that arrived over plain HTTP; the port is dropped (443 is assumed).',
    'A regexUri that does not match lets the request through to the upstream.',
  ],
});
