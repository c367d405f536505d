import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span } from '@opentelemetry/api';
import { opentelemetrySpec, type PluginConfigOf } from '@sluice/model';
import { lazyRequire } from './lazy-require.js';
import { createOtlpTracer } from './otlp-tracer.js';
import { definePlugin } from './plugin.js';
import type { PluginContext } from './plugin-context.js';
import { formatTraceParent, isUnsampledTraceParent, parseTraceParent, type TraceParent } from './traceparent.js';

type Config = PluginConfigOf<typeof opentelemetrySpec>;

type SemConv = typeof import('@opentelemetry/semantic-conventions');
/**
 * The semantic conventions (and, in otlp-tracer.ts, the SDK) are loaded when a route first uses
 * the plugin (lazy-require.ts); the API itself is small and prom-client loads it anyway.
 */
const loadSemConv = lazyRequire<SemConv>('@opentelemetry/semantic-conventions');

/** Where the request's span waits for the log phase; absent on requests not sampled. */
const SPAN = 'opentelemetrySpan';

/** The sampler as one number: the chance a request without a parent starts a trace. */
function rootFraction(sampler: Config['sampler']): number {
  const name = sampler?.name ?? 'always_off';
  return name === 'always_on' ? 1 : name === 'always_off' ? 0 : (sampler?.options?.fraction ?? 0);
}

/**
 * W3C trace context and OTLP span export. Parent-based: a valid incoming `traceparent`
 * decides by its sampled flag, otherwise the sampler does. Only a sampled request touches the
 * SDK (a span, new ids, the upstream header); any other request costs a header read and a
 * comparison, and its own traceparent (if any) passes to the upstream untouched.
 */
export const opentelemetryPlugin = definePlugin({
  spec: opentelemetrySpec,
  prepare: (config: Config, env) => {
    const collector = config.collector ?? { address: '127.0.0.1:4318' };
    const batch = config.batchSpanProcessor ?? {};
    const exportOptions = {
      address: collector.address,
      timeoutMs: (collector.requestTimeout ?? 3) * 1000,
      headers: collector.requestHeaders,
      maxQueueSize: batch.maxQueueSize ?? 2048,
      maxExportBatchSize: batch.maxExportBatchSize ?? 512,
      scheduledDelayMs: (batch.scheduledDelay ?? 5) * 1000,
      serviceName: config.serviceName ?? 'sluice',
    };
    // One tracer (and export queue) per worker and exporter config, shared by routes, kept across recompiles.
    const { tracer } = env.state.getOrCreate(`opentelemetry|${JSON.stringify(exportOptions)}`, () => createOtlpTracer(exportOptions));
    return { tracer, fraction: rootFraction(config.sampler), attr: loadSemConv() };
  },
  rewrite(ctx, c) {
    const incoming = ctx.headers.traceparent;
    let parent: TraceParent | undefined;
    if (typeof incoming === 'string') {
      if (isUnsampledTraceParent(incoming)) return;
      parent = parseTraceParent(incoming);
    }
    if (parent === undefined && !(c.fraction >= 1 || (c.fraction > 0 && Math.random() < c.fraction))) return;
    const attr = c.attr;
    const parentContext =
      parent === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const span = c.tracer.startSpan(
      `${ctx.method} ${ctx.routeId}`,
      {
        kind: SpanKind.SERVER,
        startTime: ctx.startTime > 0 ? ctx.startTime : undefined,
        attributes: {
          [attr.ATTR_HTTP_REQUEST_METHOD]: ctx.method,
          [attr.ATTR_HTTP_ROUTE]: ctx.routeId,
          [attr.ATTR_URL_PATH]: ctx.path,
          [attr.ATTR_URL_SCHEME]: ctx.scheme,
          [attr.ATTR_CLIENT_ADDRESS]: ctx.clientAddress,
        },
      },
      parentContext,
    );
    const own = span.spanContext();
    ctx.vars[SPAN] = span;
    ctx.setUpstreamHeader('traceparent', formatTraceParent(own.traceId, own.spanId, true));
  },
  log(ctx, c, status) {
    const span = ctx.vars[SPAN] as Span | undefined;
    if (span === undefined) return;
    endSpan(span, ctx, status, c.attr);
  },
});

function endSpan(span: Span, ctx: PluginContext, status: number, attr: SemConv): void {
  span.setAttribute(attr.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (ctx.upstreamAddress !== undefined) span.setAttribute('sluice.upstream', ctx.upstreamAddress);
  if (ctx.consumer !== undefined) span.setAttribute('sluice.consumer', ctx.consumer.username);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
