import type { ActiveCheck } from '@sluice/model';

/** An `ActiveCheck` with every default applied and units converted, resolved once per upstream. */
export interface ActiveCheckSettings {
  type: 'http' | 'https' | 'tcp';
  httpPath: string;
  /** Host header (and TLS SNI) of HTTP probes; the node address when unset. */
  host: string | undefined;
  timeoutMs: number;
  verifyCertificate: boolean;
  headers: Record<string, string>;
  healthy: { intervalMs: number; successes: number; statuses: ReadonlySet<number> };
  unhealthy: { intervalMs: number; httpFailures: number; tcpFailures: number; timeouts: number; statuses: ReadonlySet<number> };
}

// Defaults of lua-resty-healthcheck, which APISIX users already know.
const DEFAULT_HEALTHY_STATUSES = [200, 302];
const DEFAULT_UNHEALTHY_STATUSES = [429, 404, 500, 501, 502, 503, 504, 505];

export function resolveActiveCheck(check: ActiveCheck): ActiveCheckSettings {
  return {
    type: check.type ?? 'http',
    httpPath: check.httpPath ?? '/',
    host: check.host,
    timeoutMs: (check.timeout ?? 1) * 1000,
    verifyCertificate: check.httpsVerifyCertificate ?? true,
    headers: parseHeaderLines(check.reqHeaders ?? []),
    healthy: {
      intervalMs: (check.healthy?.interval ?? 1) * 1000,
      successes: check.healthy?.successes ?? 2,
      statuses: new Set(check.healthy?.httpStatuses ?? DEFAULT_HEALTHY_STATUSES),
    },
    unhealthy: {
      intervalMs: (check.unhealthy?.interval ?? 1) * 1000,
      httpFailures: check.unhealthy?.httpFailures ?? 3,
      tcpFailures: check.unhealthy?.tcpFailures ?? 2,
      timeouts: check.unhealthy?.timeouts ?? 3,
      statuses: new Set(check.unhealthy?.httpStatuses ?? DEFAULT_UNHEALTHY_STATUSES),
    },
  };
}

/** `["X-Probe: 1", ...]` (APISIX `req_headers`) as a header object; lines without a colon are skipped. */
function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
