import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { cidrIssue } from './cidr.js';

const cidrList = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 10_000, description });

export const ipRestrictionSpec = definePluginSpec({
  name: 'ip-restriction',
  priority: 3000,
  version: '1.0',
  description: 'Allows or denies clients by IP address or CIDR range (IPv4 and IPv6).',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      whitelist: Type.Optional(cidrList('only these may pass')),
      blacklist: Type.Optional(cidrList('these are refused')),
      message: Type.Optional(Type.String({ default: 'Your IP address is not allowed', maxLength: 1024 })),
      rejectedCode: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, default: 403 })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    const issues = [
      ...(c.whitelist ?? []).flatMap((v, i) => cidrIssue(`/whitelist/${i}`, v)),
      ...(c.blacklist ?? []).flatMap((v, i) => cidrIssue(`/blacklist/${i}`, v)),
    ];
    if ((c.whitelist === undefined) === (c.blacklist === undefined)) issues.push({ path: '/', message: 'needs exactly one of whitelist, blacklist' });
    return issues;
  },
  example: { whitelist: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'] },
  notes: ['IPv4-mapped IPv6 clients (::ffff:a.b.c.d) are matched as IPv4.', 'The client address is the one the proxy trusts (after real-IP unwrapping).'],
});
