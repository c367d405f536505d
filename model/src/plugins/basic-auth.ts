import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const basicAuthSpec = definePluginSpec({
  name: 'basic-auth',
  priority: 2520,
  version: '1.0',
  type: 'auth',
  description: 'Authenticates the consumer with HTTP Basic credentials (plain or htpasswd passwords).',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      hideCredentials: Type.Optional(Type.Boolean({ default: false, description: 'drop the Authorization header before proxying' })),
      realm: Type.Optional(Type.String({ default: 'basic', maxLength: 256, pattern: '^[^"\\r\\n]*$', description: 'realm in WWW-Authenticate' })),
      credentials: Type.Optional(
        Type.Array(Type.String({ minLength: 3, maxLength: 1300, pattern: '^[^:\\r\\n]+:[^\\r\\n]+$', writeOnly: true }), {
          maxItems: 10_000,
          description:
            'htpasswd lines "user:hash" accepted on this route only (instead of consumers); an empty list lets nobody in. Used for per-Ingress auth-secret credentials.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  consumerSchema: Type.Object(
    {
      username: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^:]*$' }),
      password: Type.String({
        minLength: 1,
        maxLength: 1024,
        writeOnly: true,
        description: 'plain text, or an htpasswd hash: $apr1$ (MD5), $2y$/$2a$/$2b$ (bcrypt), {SHA}',
      }),
    },
    { additionalProperties: false },
  ),
  example: { hideCredentials: true, realm: 'shop' },
  notes: [
    'On a consumer: `{"username": "...", "password": "..."}`; the password may be an htpasswd line\'s hash.',
    'Missing or wrong credentials: 401 with `WWW-Authenticate: Basic realm="<realm>"`.',
    'With `credentials` (htpasswd lines) only those users are accepted on this route, consumers are not consulted, and no consumer is set.',
    'Good credentials are remembered per config snapshot, so bcrypt runs once per user and password.',
  ],
});
