import { Type } from '@sinclair/typebox';

/**
 * The fields a log entry can carry (file-logger, http-logger). Each is read from the request's
 * plugin context in the log phase; a field with no value (no consumer, no request id) is left out.
 */
export const logFieldNames = [
  'time',
  'routeId',
  'method',
  'scheme',
  'host',
  'path',
  'query',
  'status',
  'durationMs',
  'clientAddress',
  'upstream',
  'consumer',
  'requestId',
  'userAgent',
  'referer',
  'bytes',
] as const;

export type LogFieldName = (typeof logFieldNames)[number];

/** What an access log line holds when `includeFields` is not given. */
export const defaultLogFields: readonly LogFieldName[] = [
  'time',
  'routeId',
  'method',
  'host',
  'path',
  'status',
  'durationMs',
  'clientAddress',
  'upstream',
  'consumer',
  'requestId',
];

export const IncludeFields = Type.Array(Type.Union(logFieldNames.map((name) => Type.Literal(name))), {
  minItems: 1,
  uniqueItems: true,
  description: `fields of each entry, in this order; default ${defaultLogFields.join(', ')}`,
});
