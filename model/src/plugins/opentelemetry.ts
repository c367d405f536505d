import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

export const opentelemetrySpec = definePluginSpec({
  name: 'opentelemetry',
  priority: 12009,
  version: '1.0',
  description: 'W3C traceparent propagation and OpenTelemetry spans exported over OTLP/HTTP (JSON).',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      sampler: Type.Optional(
        Type.Object(
          {
            name: Type.Union([Type.Literal('always_on'), Type.Literal('always_off'), Type.Literal('trace_id_ratio')], { default: 'always_off' }),
            options: Type.Optional(
              Type.Object(
                { fraction: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'share of new traces sampled (trace_id_ratio)' }) },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
      ),
      collector: Type.Optional(
        Type.Object(
          {
            address: Type.String({
              pattern: '^(https?://)?[^\\s/]+(/[^\\s]*)?$',
              default: '127.0.0.1:4318',
              description: 'host:port (path /v1/traces) or a full URL',
            }),
            requestTimeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 300, default: 3, description: 'seconds per export' })),
            // Header values often carry the collector's API key: write-only.
            requestHeaders: Type.Optional(
              Type.Record(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), Type.String({ pattern: '^[^\\r\\n]*$', writeOnly: true })),
            ),
          },
          { additionalProperties: false },
        ),
      ),
      batchSpanProcessor: Type.Optional(
        Type.Object(
          {
            maxQueueSize: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2048, description: 'spans held per worker; more are dropped' }),
            ),
            maxExportBatchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 512 })),
            scheduledDelay: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 5, description: 'seconds between exports' })),
          },
          { additionalProperties: false },
        ),
      ),
      serviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, default: 'sluice', description: 'the resource service.name' })),
    },
    { additionalProperties: false },
  ),
  check: (c) => {
    const b = c.batchSpanProcessor;
    return b?.maxExportBatchSize !== undefined && b.maxExportBatchSize > (b.maxQueueSize ?? 2048)
      ? [{ path: '/batchSpanProcessor/maxExportBatchSize', message: 'must not exceed maxQueueSize' }]
      : [];
  },
  example: { sampler: { name: 'trace_id_ratio', options: { fraction: 0.1 } }, collector: { address: '127.0.0.1:4318' } },
  notes: [
    'Parent-based sampling: a request with a valid traceparent follows its sampled flag; otherwise the sampler decides.',
    'A sampled request continues the incoming trace (same trace id, a new span id) or starts one, and the upstream gets the new traceparent.',
    'Requests not sampled keep their traceparent as it came (none is added); they cost no span, no allocation.',
    'One SERVER span per request with http.request.method, http.route (route id), http.response.status_code, url.path, url.scheme, client.address, sluice.upstream (the upstream node, host:port) and sluice.consumer; status >= 500 marks it an error.',
    'Export is batched and bounded (batchSpanProcessor.maxQueueSize); a full queue drops spans, a slow or absent collector never delays traffic.',
  ],
});
