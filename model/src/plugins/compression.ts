import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

const compressionFields = (maxLevel: number, defaultLevel: number) => ({
  types: Type.Optional(
    Type.Union([Type.Literal('*'), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 64 })], {
      default: ['text/html'],
      description: "content types to compress (without parameters), or '*'",
    }),
  ),
  minLength: Type.Optional(
    Type.Integer({ minimum: 1, default: 20, description: 'smallest Content-Length compressed (bytes); responses without a length are compressed' }),
  ),
  compLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLevel, default: defaultLevel })),
  vary: Type.Optional(Type.Boolean({ default: false, description: 'add Vary: Accept-Encoding' })),
});

const notes = [
  'Compresses only when the client accepts the encoding, the upstream did not encode the response already, the status has a body (not 204/304/HEAD) and the type and length qualify.',
  'The body is compressed as it streams (no buffering) with back-pressure; Content-Length is dropped and the response is chunked.',
  'When both gzip and brotli are on a route, brotli wins for clients that accept it.',
];

export const gzipSpec = definePluginSpec({
  name: 'gzip',
  priority: 995,
  version: '1.0',
  description: 'Compresses responses with gzip for clients that accept it.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(compressionFields(9, 1), { additionalProperties: false }),
  example: { types: ['text/html', 'application/json'], minLength: 256, compLevel: 5, vary: true },
  notes,
});

export const brotliSpec = definePluginSpec({
  name: 'brotli',
  priority: 996,
  version: '1.0',
  description: 'Compresses responses with brotli for clients that accept it.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(compressionFields(11, 4), { additionalProperties: false }),
  example: { types: '*', minLength: 256, compLevel: 4 },
  notes,
});
