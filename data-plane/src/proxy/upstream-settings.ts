import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Upstream } from '@sluice/model';
import { subjectAltNameCheck } from './subject-alt-names.js';

/** What the proxy needs of one upstream document, derived once and cached per document object. */
export interface UpstreamSettings {
  https: boolean;
  /** `scheme: grpc | grpcs`: gRPC end to end (HTTP/2 clients only, errors as grpc-status). */
  grpc: boolean;
  /** `scheme: h2c | h2 | grpc | grpcs`: requests go out as streams of a shared HTTP/2 session. */
  http2: boolean;
  passHost: 'pass' | 'node' | 'rewrite';
  upstreamHost: string | undefined;
  /** Extra attempts: on other nodes, or (`retryMode: attempts`) on any node. */
  retries: number;
  /** `retryMode: attempts` (Gateway API, as Envoy): see the model; false = nginx's next-upstream. */
  countEveryAttempt: boolean;
  /** Pause before each retry (ms); 0 = at once. */
  retryBackoffMs: number;
  /** The upstream's `timeout.request` (ms): limit from the request's arrival to the response head; Infinity = none. */
  requestTimeoutMs: number;
  retryOnError: boolean;
  retryOnTimeout: boolean;
  /** `non_idempotent`: a reset POST/PATCH may be retried too. */
  retryNonIdempotent: boolean;
  /** No new attempt starts this long after the request began (ms); Infinity = no budget. */
  retryBudgetMs: number;
  /** Indexed by status code: 1 when a response with that status is retried. Undefined when none is. */
  retryStatuses: Uint8Array | undefined;
  /** Keep-alive pool: max idle sockets per node, idle lifetime, requests per socket. */
  poolSize: number;
  idleMs: number;
  maxRequests: number;
  /** TLS options for `scheme: https`, without host/port/servername. */
  tls: ConnectionOptions | undefined;
  sni: string | undefined;
  /** Prepended to the node key to name a pool: '' for plain http, so pools are shared across document versions. */
  poolPrefix: string;
}

const MAX_DEFAULT_RETRIES = 5;
const cache = new WeakMap<Upstream, UpstreamSettings>();

export function upstreamSettings(upstream: Upstream): UpstreamSettings {
  let settings = cache.get(upstream);
  if (settings === undefined) {
    settings = deriveSettings(upstream);
    cache.set(upstream, settings);
  }
  return settings;
}

function deriveSettings(upstream: Upstream): UpstreamSettings {
  const retryOn = upstream.retryOn ?? ['error', 'timeout'];
  let retryStatuses: Uint8Array | undefined;
  for (const condition of retryOn) {
    if (typeof condition !== 'number') continue;
    retryStatuses ??= new Uint8Array(600);
    retryStatuses[condition] = 1;
  }
  const scheme = upstream.scheme ?? 'http';
  const https = scheme === 'https' || scheme === 'grpcs' || scheme === 'h2';
  const grpc = scheme === 'grpc' || scheme === 'grpcs';
  const http2 = grpc || scheme === 'h2c' || scheme === 'h2';
  const pool = upstream.keepalivePool ?? {};
  const t = upstream.tls ?? {};
  const tls: ConnectionOptions | undefined = https
    ? {
        rejectUnauthorized: t.verify ?? false,
        ca: t.ca,
        cert: t.clientCert,
        key: t.clientKey,
        ALPNProtocols: ['http/1.1'],
        ...(t.verify && t.subjectAltNames ? { checkServerIdentity: subjectAltNameCheck(t.subjectAltNames) } : {}),
      }
    : undefined;
  const poolPrefix = https
    ? `https|${createHash('sha1')
        .update(JSON.stringify([t.verify, t.sni, t.ca, t.clientCert, t.clientKey, t.subjectAltNames]))
        .digest('base64url')}|`
    : '';
  return {
    https,
    grpc,
    http2,
    passHost: upstream.passHost ?? 'pass',
    upstreamHost: upstream.upstreamHost,
    retries: upstream.retries ?? Math.min(Math.max(upstream.nodes.length - 1, 0), MAX_DEFAULT_RETRIES),
    countEveryAttempt: upstream.retryMode === 'attempts',
    retryBackoffMs: (upstream.retryBackoff ?? 0) * 1000,
    requestTimeoutMs: upstream.timeout?.request === undefined ? Infinity : upstream.timeout.request * 1000,
    retryOnError: retryOn.includes('error'),
    retryOnTimeout: retryOn.includes('timeout'),
    retryNonIdempotent: retryOn.includes('non_idempotent'),
    retryBudgetMs: upstream.retryTimeout === undefined ? Infinity : upstream.retryTimeout * 1000,
    retryStatuses,
    poolSize: pool.size ?? 320,
    idleMs: (pool.idleTimeout ?? 60) * 1000,
    maxRequests: pool.requests ?? 10_000,
    tls,
    sni: t.sni,
    poolPrefix,
  };
}

/** The TLS server name for a node: the configured SNI, else the node host unless it is an IP. */
export function serverNameFor(settings: UpstreamSettings, host: string): string | undefined {
  return settings.sni ?? (isIP(host) === 0 ? host : undefined);
}
