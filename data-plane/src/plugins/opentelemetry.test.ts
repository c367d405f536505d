import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/ports.js';
import { opentelemetryPlugin } from './opentelemetry.js';
import { PluginState } from './plugin-state.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';
import { ConsumerIndex } from './consumer-index.js';
import { isUnsampledTraceParent, parseTraceParent } from './traceparent.js';

/** A real OTLP/HTTP receiver: keeps every span of every JSON export request. */
let receiver: http.Server;
let address: string;
const spans: any[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        for (const rs of JSON.parse(body).resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, resource: rs.resource });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const INCOMING = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function sentTraceparent(ctx: ReturnType<typeof makeContext>): string | undefined {
  return ctx.upstreamHeaderOps?.find((op) => op.name.toLowerCase() === 'traceparent')?.value;
}

function attrs(span: any): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map((a: any) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]));
}

describe('traceparent', () => {
  it('parses valid headers and refuses invalid ones', () => {
    expect(parseTraceParent(INCOMING)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceParent(INCOMING.replace(/01$/, '00'))?.sampled).toBe(false);
    expect(parseTraceParent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    for (const bad of [
      undefined,
      '',
      INCOMING.toUpperCase(),
      INCOMING + '-x',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01',
    ])
      expect(parseTraceParent(bad)).toBeUndefined();
  });

  it('tells a valid unsampled parent apart cheaply', () => {
    expect(isUnsampledTraceParent(INCOMING.replace(/01$/, '00'))).toBe(true);
    expect(isUnsampledTraceParent(INCOMING.replace(/01$/, '0a'))).toBe(true);
    expect(isUnsampledTraceParent(INCOMING.replace(/01$/, '0b'))).toBe(false);
    expect(isUnsampledTraceParent(INCOMING)).toBe(false);
    expect(isUnsampledTraceParent('00-00000000000000000000000000000000-00f067aa0ba902b7-00')).toBe(false);
    expect(isUnsampledTraceParent(INCOMING.replace(/01$/, '00') + '-x')).toBe(false);
  });
});

describe('opentelemetry', () => {
  const collector = () => ({ address, requestTimeout: 2 });
  const fastBatch = { scheduledDelay: 0.02 };

  it('continues an incoming trace: same trace id, a new span id, sampled; the span reaches the collector', async () => {
    const chain = chainFor({ opentelemetry: { sampler: { name: 'always_off' }, collector: collector(), batchSpanProcessor: fastBatch, serviceName: 'edge' } });
    const ctx = makeContext({ method: 'POST', path: '/pay', headers: { traceparent: INCOMING } }, 'r1');
    await exchange(chain, ctx);
    const sent = parseTraceParent(sentTraceparent(ctx));
    expect(sent).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', sampled: true });
    expect(sent!.spanId).not.toBe('00f067aa0ba902b7');
    ctx.upstreamAddress = '10.1.2.3:8080';
    chain.runLog(ctx, 502, 5);
    await waitFor(() => spans.some((s) => s.spanId === sent!.spanId), 5000, 'the exported span');
    const span = spans.find((s) => s.spanId === sent!.spanId);
    expect(span.traceId).toBe(sent!.traceId);
    expect(span.parentSpanId).toBe('00f067aa0ba902b7');
    expect(span.kind).toBe(2); // SERVER
    expect(span.status.code).toBe(2); // ERROR for 5xx
    expect(attrs(span)).toMatchObject({
      'http.request.method': 'POST',
      'http.route': 'r1',
      'http.response.status_code': 502,
      'url.path': '/pay',
      'sluice.upstream': '10.1.2.3:8080',
    });
    expect(span.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'edge' } });
  });

  it('starts a trace when none came (always_on) and names the consumer', async () => {
    const chain = chainFor({ 'key-auth': {}, opentelemetry: { sampler: { name: 'always_on' }, collector: collector(), batchSpanProcessor: fastBatch } }, [
      { id: 'alice', username: 'alice', plugins: { 'key-auth': { key: 'k1' } } },
    ]);
    const ctx = makeContext({ headers: { apikey: 'k1' } });
    await exchange(chain, ctx);
    const sent = parseTraceParent(sentTraceparent(ctx));
    expect(sent?.sampled).toBe(true);
    chain.runLog(ctx, 200, 1);
    await waitFor(() => spans.some((s) => s.spanId === sent!.spanId), 5000, 'the exported span');
    const span = spans.find((s) => s.spanId === sent!.spanId);
    expect(span.parentSpanId ?? '').toBe('');
    expect(attrs(span)).toMatchObject({ 'sluice.consumer': 'alice', 'http.response.status_code': 200 });
  });

  it('leaves requests not sampled untouched: ratio 0, always_off, an unsampled parent', async () => {
    const configs = [{ name: 'trace_id_ratio', options: { fraction: 0 } }, { name: 'always_off' }] as const;
    for (const sampler of configs) {
      const chain = chainFor({ opentelemetry: { sampler, collector: collector() } });
      const ctx = makeContext();
      await exchange(chain, ctx);
      expect(ctx.upstreamHeaderOps).toBeUndefined();
      expect(ctx.vars).toEqual({});
    }
    const chain = chainFor({ opentelemetry: { sampler: { name: 'always_on' }, collector: collector() } });
    const ctx = makeContext({ headers: { traceparent: INCOMING.replace(/01$/, '00') } });
    await exchange(chain, ctx);
    expect(ctx.upstreamHeaderOps).toBeUndefined();
  });

  it('ratio sampling starts about that share of traces', async () => {
    const chain = chainFor({ opentelemetry: { sampler: { name: 'trace_id_ratio', options: { fraction: 0.25 } }, collector: collector() } });
    let sampled = 0;
    for (let i = 0; i < 2000; i++) {
      const ctx = makeContext();
      chain.runRequest(ctx);
      if (sentTraceparent(ctx)) sampled++;
    }
    expect(sampled).toBeGreaterThan(350);
    expect(sampled).toBeLessThan(650);
  });

  it('an invalid incoming traceparent is replaced by a new trace when sampled', async () => {
    const chain = chainFor({ opentelemetry: { sampler: { name: 'always_on' }, collector: collector() } });
    const ctx = makeContext({ headers: { traceparent: 'garbage' } });
    await exchange(chain, ctx);
    expect(parseTraceParent(sentTraceparent(ctx))?.sampled).toBe(true);
  });

  it('costs well under 1 µs on a request that is not sampled', () => {
    const compiled = opentelemetryPlugin.prepare!({ sampler: { name: 'trace_id_ratio', options: { fraction: 0 } }, collector: collector() }, {
      ownerId: 'r1',
      consumers: ConsumerIndex.empty,
      state: new PluginState(),
    } as never);
    const plain = makeContext();
    const unsampledParent = makeContext({ headers: { traceparent: INCOMING.replace(/01$/, '00') } });
    const measure = (ctx: ReturnType<typeof makeContext>) => {
      const n = 200_000;
      for (let i = 0; i < 10_000; i++) opentelemetryPlugin.rewrite!(ctx, compiled);
      const t = performance.now();
      for (let i = 0; i < n; i++) opentelemetryPlugin.rewrite!(ctx, compiled);
      for (let i = 0; i < n; i++) opentelemetryPlugin.log!(ctx, compiled, 200, 1);
      return ((performance.now() - t) * 1000) / n;
    };
    const plainUs = measure(plain);
    const parentUs = measure(unsampledParent);
    console.log(`opentelemetry, not sampled: ${plainUs.toFixed(3)} µs (no traceparent), ${parentUs.toFixed(3)} µs (unsampled traceparent) per request`);
    // Generous bounds: the machine is shared; typical figures are tens of nanoseconds.
    expect(plainUs).toBeLessThan(1);
    expect(parentUs).toBeLessThan(2);
  });
});
