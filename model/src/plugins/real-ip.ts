import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { cidrIssue } from './cidr.js';

export const realIpSpec = definePluginSpec({
  name: 'real-ip',
  priority: 23000,
  version: '1.0',
  description:
    'Takes the client address from a header (X-Forwarded-For) set by trusted proxies, so ip-restriction, the limit-* plugins and the logs see the real client (nginx realip module).',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      header: Type.Optional(
        Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", default: 'X-Forwarded-For', description: 'header that carries the client address' }),
      ),
      trusted: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'IPs or CIDRs of the proxies whose header is believed (nginx set_real_ip_from)',
      }),
      recursive: Type.Optional(
        Type.Boolean({
          default: false,
          description: 'walk the header right to left past trusted addresses (nginx real_ip_recursive); off takes the last address',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  check: (c) => c.trusted.flatMap((v, i) => cidrIssue(`/trusted/${i}`, v)),
  example: { header: 'X-Forwarded-For', trusted: ['10.0.0.0/8'], recursive: true },
  notes: [
    'The header is used only when the connection comes from a trusted address; otherwise the socket address stays.',
    'Without recursive, the last address of the header is the client (nginx default); with it, the rightmost address that is not trusted.',
    'An unparsable address in the header leaves the client address as it was.',
    'The X-Forwarded-For and X-Real-IP headers sent upstream are not changed by this plugin.',
  ],
});
