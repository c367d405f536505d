/** A W3C trace context parent, as read from a `traceparent` header. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

// version-traceid-parentid-flags; a future version may append fields after the flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-|$)/;
// The same rules as parseTraceParent, as one test without captures (no allocation).
const VALID_TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(-|$)/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/** Parses `traceparent` (W3C Trace Context level 1); anything invalid is undefined, as if absent. */
export function parseTraceParent(header: string | undefined): TraceParent | undefined {
  if (header === undefined || header.length < 55) return undefined;
  const m = TRACEPARENT.exec(header);
  if (m === null) return undefined;
  const version = m[1];
  if (version === 'ff' || (version === '00' && header.length !== 55)) return undefined;
  if (m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return undefined;
  return { traceId: m[2], spanId: m[3], sampled: (parseInt(m[4], 16) & 1) === 1 };
}

/**
 * Cheap test for the common "the caller did not sample" case: true when `header` is a valid
 * traceparent whose sampled flag is clear. No allocation (a regex test, no captures).
 */
export function isUnsampledTraceParent(header: string): boolean {
  if (header.length < 55) return false;
  // The flags' low bit is the low bit of the value of its last hex digit (index 54).
  const c = header.charCodeAt(54);
  const sampled = c <= 57 ? (c & 1) === 1 : (c & 1) === 0;
  return !sampled && VALID_TRACEPARENT.test(header) && (header.length === 55 || !header.startsWith('00'));
}

export function formatTraceParent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
