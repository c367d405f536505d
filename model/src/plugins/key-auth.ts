import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const keyAuthSpec = definePluginSpec({
  name: 'key-auth',
  priority: 2500,
  version: '1.0',
  type: 'auth',
  description: 'Authenticates the consumer by an API key sent in a header or a query parameter.',
  attachTo: ['route', 'plugin-config', 'global-rule', 'consumer'],
  schema: Type.Object(
    {
      header: Type.Optional(Type.String({ default: 'apikey', minLength: 1, description: 'header that carries the key (checked first)' })),
      query: Type.Optional(Type.String({ default: 'apikey', minLength: 1, description: 'query parameter that carries the key' })),
      hideCredentials: Type.Optional(Type.Boolean({ default: false, description: 'do not pass the key to the upstream' })),
    },
    { additionalProperties: false },
  ),
  consumerSchema: Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 1024, writeOnly: true, description: "the consumer's API key" }) },
    { additionalProperties: false },
  ),
  example: { header: 'apikey', hideCredentials: true },
  notes: [
    'On a consumer: `{"key": "..."}`. On a route: where to look for the key.',
    'Missing or unknown key: 401. The consumer is then known to later plugins and sent upstream as X-Consumer-Username.',
  ],
});
