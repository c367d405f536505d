import { defaultLogFields, type LogFieldName } from '@sluice/model';
import type { PluginContext } from './plugin-context.js';

/** One access-log entry: only the chosen fields, in their order; fields without a value are absent. */
export type LogEntry = Record<string, string | number>;

type FieldReader = (ctx: PluginContext, status: number, durationMs: number) => string | number | undefined;

const readers: Record<LogFieldName, FieldReader> = {
  time: () => new Date().toISOString(),
  routeId: (ctx) => ctx.routeId,
  method: (ctx) => ctx.method,
  scheme: (ctx) => ctx.scheme,
  host: (ctx) => ctx.headers.host,
  path: (ctx) => ctx.path,
  query: (ctx) => (ctx.rawQuery.length ? ctx.rawQuery : undefined),
  status: (_ctx, status) => status,
  // Microsecond precision is plenty and keeps lines short.
  durationMs: (_ctx, _status, ms) => Math.round(ms * 1000) / 1000,
  clientAddress: (ctx) => ctx.clientAddress,
  upstream: (ctx) => ctx.upstreamAddress,
  consumer: (ctx) => ctx.consumer?.username,
  requestId: (ctx) => {
    const id = ctx.vars.requestId;
    return typeof id === 'string' ? id : ctx.header('x-request-id');
  },
  userAgent: (ctx) => ctx.header('user-agent'),
  referer: (ctx) => ctx.header('referer'),
  bytes: (ctx) => ctx.bytesSent,
};

/** Builds entries with a fixed field list, chosen once per route at prepare time. */
export type LogEntryBuilder = (ctx: PluginContext, status: number, durationMs: number) => LogEntry;

export function logEntryBuilder(fields: readonly LogFieldName[] = defaultLogFields): LogEntryBuilder {
  const names = [...fields];
  const read = names.map((name) => readers[name]);
  return (ctx, status, durationMs) => {
    const entry: LogEntry = {};
    for (let i = 0; i < names.length; i++) {
      const value = read[i](ctx, status, durationMs);
      if (value !== undefined) entry[names[i]] = value;
    }
    return entry;
  };
}
