import { Type } from '@sinclair/typebox';
import type { ValidationIssue } from '../validate.js';

/** The `keyType` + `key` pair the rate limiters share (APISIX `key_type` / `key`). */
export const limitKeyFields = {
  keyType: Type.Optional(Type.Union([Type.Literal('var'), Type.Literal('var_combination'), Type.Literal('constant')], { default: 'var' })),
  key: Type.Optional(
    Type.String({
      default: 'remote_addr',
      minLength: 1,
      description:
        'var: remote_addr, consumer_name, route_id, host, uri, server_addr, http_<header>, arg_<param>; var_combination: "$remote_addr $http_x_user"; constant: any text',
    }),
  ),
};

const KNOWN_VAR = /^(remote_addr|consumer_name|route_id|host|uri|server_addr|http_[a-z0-9_]+|arg_[A-Za-z0-9_.-]+)$/;

/** A `var` key must name a variable the data plane knows. */
export function limitKeyIssues(c: { keyType?: string; key?: string }): ValidationIssue[] {
  if ((c.keyType ?? 'var') !== 'var' || c.key === undefined) return [];
  return KNOWN_VAR.test(c.key.replace(/^\$/, '')) ? [] : [{ path: '/key', message: `is not a known variable: ${JSON.stringify(c.key)}` }];
}
