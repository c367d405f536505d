import type { Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { lazyRequire } from './lazy-require.js';

/** The SDK and its OTLP exporter are loaded when the first tracer is made (lazy-require.ts). */
const loadExporter = lazyRequire<typeof import('@opentelemetry/exporter-trace-otlp-http')>('@opentelemetry/exporter-trace-otlp-http');
const loadResources = lazyRequire<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
const loadSdk = lazyRequire<typeof import('@opentelemetry/sdk-trace-base')>('@opentelemetry/sdk-trace-base');
const loadSemConv = lazyRequire<typeof import('@opentelemetry/semantic-conventions')>('@opentelemetry/semantic-conventions');

export interface OtlpTracerOptions {
  /** `host:port` (→ http://host:port/v1/traces) or a full URL. */
  address: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  serviceName: string;
}

/** The OTLP/HTTP endpoint for a collector address as configured. */
export function tracesUrl(address: string): string {
  const url = new URL(/^https?:\/\//.test(address) ? address : `http://${address}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

/**
 * An SDK tracer exporting over OTLP/HTTP JSON through the SDK's BatchSpanProcessor (bounded
 * queue, drops when full, exports off the request path). Sampling is decided by the plugin
 * before any span exists, so the SDK samples everything it is given.
 */
export function createOtlpTracer(opts: OtlpTracerOptions): { tracer: Tracer; provider: BasicTracerProvider } {
  const { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } = loadSdk();
  const exporter = new (loadExporter().OTLPTraceExporter)({ url: tracesUrl(opts.address), timeoutMillis: opts.timeoutMs, headers: opts.headers });
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: opts.maxQueueSize,
    maxExportBatchSize: opts.maxExportBatchSize,
    scheduledDelayMillis: opts.scheduledDelayMs,
    exportTimeoutMillis: opts.timeoutMs,
  });
  const provider = new BasicTracerProvider({
    resource: loadResources().resourceFromAttributes({ [loadSemConv().ATTR_SERVICE_NAME]: opts.serviceName }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer('sluice'), provider };
}
