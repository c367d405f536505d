import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import type { ValidationIssue } from '../validate.js';

const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384'] as const;

export const jwtAuthSpec = definePluginSpec({
  name: 'jwt-auth',
  priority: 2510,
  version: '1.0',
  type: 'auth',
  description: "Authenticates the consumer by a signed JSON Web Token whose `key` claim names the consumer's credential.",
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      header: Type.Optional(
        Type.String({ default: 'authorization', minLength: 1, description: 'header with the token, with or without "Bearer " (checked first)' }),
      ),
      query: Type.Optional(Type.String({ default: 'jwt', minLength: 1, description: 'query parameter with the token (checked second)' })),
      cookie: Type.Optional(Type.String({ default: 'jwt', minLength: 1, description: 'cookie with the token (checked last)' })),
      hideCredentials: Type.Optional(Type.Boolean({ default: false, description: 'do not pass the token to the upstream' })),
      keyClaimName: Type.Optional(Type.String({ default: 'key', minLength: 1, description: "claim that names the consumer's credential key" })),
    },
    { additionalProperties: false },
  ),
  consumerSchema: Type.Object(
    {
      key: Type.String({ minLength: 1, maxLength: 1024, description: 'the value of the token claim that selects this credential' }),
      secret: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, writeOnly: true, description: 'HS* algorithms: the shared secret' })),
      base64Secret: Type.Optional(Type.Boolean({ default: false, description: 'the secret is base64-encoded' })),
      publicKey: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384, description: 'RS*/ES* algorithms: the PEM public key' })),
      algorithm: Type.Optional(
        Type.Union(
          ALGORITHMS.map((a) => Type.Literal(a)),
          { default: 'HS256' },
        ),
      ),
      lifetimeGracePeriod: Type.Optional(
        Type.Integer({ minimum: 0, maximum: 86_400, default: 0, description: 'seconds of clock skew allowed on exp and nbf' }),
      ),
    },
    { additionalProperties: false },
  ),
  consumerCheck: (c: { secret?: string; publicKey?: string; algorithm?: string }): ValidationIssue[] => {
    const hmac = (c.algorithm ?? 'HS256').startsWith('HS');
    if (hmac) return c.secret === undefined ? [{ path: '/secret', message: `is required with algorithm ${c.algorithm ?? 'HS256'}` }] : [];
    if (c.publicKey === undefined) return [{ path: '/publicKey', message: `is required with algorithm ${c.algorithm}` }];
    return /-----BEGIN (RSA )?PUBLIC KEY-----/.test(c.publicKey)
      ? []
      : [{ path: '/publicKey', message: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)' }];
  },
  example: { header: 'authorization', hideCredentials: true },
  notes: [
    'On a consumer: `{"key": "user-key", "secret": "..."}` (HS256, the default) or `{"key": "user-key", "algorithm": "RS256", "publicKey": "-----BEGIN PUBLIC KEY-----..."}`.',
    'The token is looked for in the header (a `Bearer ` prefix is optional), then the query parameter, then the cookie.',
    "Its `key` claim (keyClaimName) selects the credential; the signature must verify with that credential's algorithm only, and `exp`/`nbf` are enforced when present.",
    'Missing, malformed, unknown, forged or expired tokens: 401. The consumer is then known to later plugins and sent upstream as X-Consumer-Username.',
  ],
});
