import { check } from './annotations/annotation.js';
import { configMapGlobalRule } from './configmap-global-rule.js';
import { checkNginxSize, checkNginxTime, parseNginxSize, parseNginxTime } from './nginx-units.js';
import type { TranslatedDocument } from './types.js';

/** ingress-nginx's defaults for the keys below (its docs, "ConfigMap"). */
const DEFAULT_BODY_SIZE = '1m';
const DEFAULT_HEADER_BUFFER = 1024;
const DEFAULT_LARGE_BUFFERS = { number: 4, size: 8 * 1024 };

/** client-traffic.maxHeaderSize bounds (model/src/plugins/client-traffic.ts). */
const MAX_HEADER_SIZE = { min: 1024, max: 1_048_576 };

/** The ConfigMap keys this rule reads, for the "unsupported key" check. */
export const CLIENT_LIMIT_KEYS = [
  'proxy-body-size',
  'client-header-buffer-size',
  'large-client-header-buffers',
  'keep-alive',
  'keep-alive-requests',
  'client-header-timeout',
];

/**
 * What ingress-nginx applies to every client before any location, as one global rule owned by
 * the ConfigMap (`configmap/<ns>/<name>/client`), which the data plane applies live:
 *
 * - `proxy-body-size` (default 1m, as ingress-nginx) → `client-control.maxBodySize`, the default
 *   of every route; a route's own `client-control` (the annotation) replaces it, "0" = no limit.
 * - `client-header-buffer-size` and `large-client-header-buffers` ("4 8k") → `client-traffic.
 *   maxHeaderSize`. nginx reads a request head into one buffer of client-header-buffer-size and,
 *   when it does not fit, into up to `number` buffers of `size`: a head may take at most
 *   max(client-header-buffer-size, number × size) bytes. That total is the limit here (nginx
 *   also caps each header line at `size`; Sluice has only the total). Either key alone takes
 *   ingress-nginx's default for the other.
 * - `keep-alive` → `keepAliveTimeout` (seconds; "0" closes after each response),
 *   `keep-alive-requests` → `keepAliveRequests`, `client-header-timeout` → `headersTimeout`.
 *
 * Keys left out keep the data plane's defaults (16 KiB head, 65 s keep-alive, no request cap,
 * 60 s head timeout), so only the body size differs from a gateway without a ConfigMap.
 */
export function translateClientLimits(object: string, data: ReadonlyMap<string, string>, say: (message: string) => void): TranslatedDocument | undefined {
  const read = <T>(key: string, validate: (v: string) => string | undefined, parse: (v: string) => T): T | undefined => {
    const value = data.get(key);
    if (value === undefined) return undefined;
    const error = validate(value);
    if (error) return void say(`${key} ignored: ${error}`);
    return parse(value);
  };

  const bodySize = read('proxy-body-size', checkNginxSize, parseNginxSize) ?? parseNginxSize(DEFAULT_BODY_SIZE)!;
  const traffic: Record<string, number> = {};

  const headerBuffer = read('client-header-buffer-size', checkNginxSize, parseNginxSize);
  const largeBuffers = read('large-client-header-buffers', checkLargeBuffers, parseLargeBuffers);
  if (headerBuffer !== undefined || largeBuffers !== undefined) {
    const { number, size } = largeBuffers ?? DEFAULT_LARGE_BUFFERS;
    const total = Math.max(headerBuffer ?? DEFAULT_HEADER_BUFFER, number * size);
    const clamped = Math.min(Math.max(total, MAX_HEADER_SIZE.min), MAX_HEADER_SIZE.max);
    if (clamped !== total)
      say(
        `client-header-buffer-size / large-client-header-buffers allow ${total} bytes of request head; Sluice takes ${clamped} (its range is ${MAX_HEADER_SIZE.min} to ${MAX_HEADER_SIZE.max})`,
      );
    traffic.maxHeaderSize = clamped;
  }
  const keepAlive = read('keep-alive', checkNginxTime(0, 86_400), parseNginxTime);
  if (keepAlive !== undefined) traffic.keepAliveTimeout = keepAlive;
  const keepAliveRequests = read('keep-alive-requests', check.integer(1), Number);
  if (keepAliveRequests !== undefined) traffic.keepAliveRequests = keepAliveRequests;
  const headerTimeout = read('client-header-timeout', checkNginxTime(0.001, 3600), parseNginxTime);
  if (headerTimeout !== undefined) traffic.headersTimeout = headerTimeout;

  const plugins: Record<string, unknown> = {
    // "0" is no limit: then there is nothing to put in the rule.
    ...(bodySize > 0 ? { 'client-control': { maxBodySize: bodySize } } : {}),
    ...(Object.keys(traffic).length ? { 'client-traffic': traffic } : {}),
  };
  if (Object.keys(plugins).length === 0) return undefined;
  return configMapGlobalRule(object, 'client', plugins, say, 'check proxy-body-size and the client-* and keep-alive* keys');
}

/** "4 8k": a count and an nginx size. */
function parseLargeBuffers(v: string): { number: number; size: number } {
  const [number, size] = v.trim().split(/\s+/);
  return { number: Number(number), size: parseNginxSize(size!)! };
}

function checkLargeBuffers(v: string): string | undefined {
  const parts = v.trim().split(/\s+/);
  const ok = parts.length === 2 && /^[1-9]\d*$/.test(parts[0]!) && (parseNginxSize(parts[1]!) ?? 0) > 0;
  return ok ? undefined : `must be a count and a size like "4 8k", got ${JSON.stringify(v)}`;
}
