import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { Id } from '../meta.js';

const MirrorPath = Type.String({
  pattern: '^/[^\\s?#]*$',
  maxLength: 4096,
  description: 'path sent to the mirror instead of the request path (the query is kept)',
});

export const requestMirrorSpec = definePluginSpec({
  name: 'request-mirror',
  priority: 1010,
  version: '1.0',
  description:
    'Copies requests to one or more other upstreams (shadow traffic) and ignores their answers; the real request is never delayed or failed by a mirror.',
  attachTo: ['route', 'plugin-config'],
  schema: Type.Object(
    {
      upstreamId: Type.Optional(Id),
      sampleRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'share of requests mirrored' })),
      path: Type.Optional(MirrorPath),
      targets: Type.Optional(
        Type.Array(
          Type.Object(
            {
              upstreamId: Id,
              sampleRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1 })),
              path: Type.Optional(MirrorPath),
            },
            { additionalProperties: false },
          ),
          { minItems: 1, maxItems: 16, description: 'several mirrors, each sampled on its own (instead of upstreamId, sampleRatio, path)' },
        ),
      ),
      timeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 300, default: 5, description: 'seconds the mirror may take for the whole exchange' })),
      maxBodySize: Type.Optional(
        Type.Integer({ minimum: 0, default: 1_048_576, description: 'bytes of request body mirrored; a larger body is not mirrored' }),
      ),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    if (c.targets === undefined) return c.upstreamId === undefined ? [{ path: '/upstreamId', message: 'is required (or targets)' }] : [];
    return (['upstreamId', 'sampleRatio', 'path'] as const)
      .filter((f) => c[f] !== undefined)
      .map((f) => ({ path: `/${f}`, message: 'goes inside each of targets when targets is set' }));
  },
  upstreamRefs: (c) => [...new Set([...(c.upstreamId ? [c.upstreamId] : []), ...(c.targets ?? []).map((t) => t.upstreamId)])],
  example: { upstreamId: 'shop-shadow', sampleRatio: 0.1, timeout: 2 },
  notes: [
    "The mirror gets the same method, URL (or `path` with the original query) and headers as the real upstream, with Host per the mirror upstream's passHost, and the body as it streams.",
    'The mirror never slows the real request: when its socket cannot keep up or the body grows past maxBodySize, the mirror request is abandoned (its connection closed). Its response is read and dropped.',
    'Mirror errors and timeouts are only counted (`sluice_mirror_requests_total{outcome}`), never reported to the client.',
    '`targets` mirrors to several upstreams at once (Gateway API: several RequestMirror filters); each target is sampled on its own.',
    'The upstreams named here must exist (400 from the admin API otherwise) and cannot be deleted while the route refers to it.',
  ],
});
