import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';

const Seconds = (description: string, def?: number) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 86_400, description, ...(def === undefined ? {} : { default: def }) });

const HttpStatus = Type.Integer({ minimum: 100, maximum: 599 });

/** connect / send / read timeouts in seconds (nginx proxy_*_timeout semantics). */
export const Timeouts = Type.Object(
  {
    connect: Type.Optional(Seconds('time to open the upstream connection')),
    send: Type.Optional(Seconds('max time between two writes of the request to the upstream')),
    read: Type.Optional(Seconds('max time between two reads of the response; also the idle timeout of upgraded connections')),
    /** Gateway API `timeouts.request`: unlike the others it spans every attempt (retries, backoff). */
    request: Type.Optional(Seconds("max time from the request's arrival to the response head, across all attempts; none = no limit")),
  },
  { additionalProperties: false },
);
export type Timeouts = Static<typeof Timeouts>;

export const UpstreamNode = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535, default: 1 })),
    /** Lower-priority nodes are used only when every node of a higher priority is down. */
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, default: 0 })),
  },
  { additionalProperties: false },
);
export type UpstreamNode = Static<typeof UpstreamNode>;

export const ActiveCheck = Type.Object(
  {
    type: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https'), Type.Literal('tcp')], { default: 'http' })),
    httpPath: Type.Optional(Type.String({ default: '/' })),
    host: Type.Optional(Type.String()),
    timeout: Type.Optional(Seconds('probe timeout', 1)),
    httpsVerifyCertificate: Type.Optional(Type.Boolean({ default: true })),
    reqHeaders: Type.Optional(Type.Array(Type.String())),
    healthy: Type.Optional(
      Type.Object(
        {
          interval: Type.Optional(Seconds('probe interval while healthy', 1)),
          successes: Type.Optional(Type.Integer({ minimum: 1, maximum: 254, default: 2 })),
          httpStatuses: Type.Optional(Type.Array(HttpStatus, { minItems: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    unhealthy: Type.Optional(
      Type.Object(
        {
          interval: Type.Optional(Seconds('probe interval while unhealthy', 1)),
          httpFailures: Type.Optional(Type.Integer({ minimum: 1, maximum: 254, default: 3 })),
          tcpFailures: Type.Optional(Type.Integer({ minimum: 1, maximum: 254, default: 2 })),
          timeouts: Type.Optional(Type.Integer({ minimum: 1, maximum: 254, default: 3 })),
          httpStatuses: Type.Optional(Type.Array(HttpStatus, { minItems: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ActiveCheck = Static<typeof ActiveCheck>;

export const PassiveCheck = Type.Object(
  {
    /** Statuses counted as failures (default 500, 502, 503, 504). */
    httpStatuses: Type.Optional(Type.Array(HttpStatus, { minItems: 1 })),
    /** Consecutive failures (errors, timeouts or listed statuses) that eject a node. */
    failures: Type.Optional(Type.Integer({ minimum: 1, maximum: 254, default: 3 })),
    /** How long an ejected node stays out before it is tried again. */
    ejectSeconds: Type.Optional(Seconds('ejection time', 10)),
  },
  { additionalProperties: false },
);
export type PassiveCheck = Static<typeof PassiveCheck>;

export const RetryCondition = Type.Union([
  Type.Literal('error'),
  Type.Literal('timeout'),
  /** Also retry methods that are not idempotent (POST, PATCH) after a reset (nginx `non_idempotent`). */
  Type.Literal('non_idempotent'),
  HttpStatus,
]);

export const UpstreamFields = {
  nodes: Type.Array(UpstreamNode, { maxItems: 10_000 }),
  type: Type.Optional(
    Type.Union([Type.Literal('roundrobin'), Type.Literal('least_conn'), Type.Literal('chash'), Type.Literal('ewma')], {
      default: 'roundrobin',
    }),
  ),
  hashOn: Type.Optional(
    Type.Union([Type.Literal('remote_addr'), Type.Literal('header'), Type.Literal('cookie'), Type.Literal('uri'), Type.Literal('consumer')]),
  ),
  /** Header or cookie name for hashOn header/cookie. */
  key: Type.Optional(Type.String({ minLength: 1 })),
  scheme: Type.Optional(
    // h2c: HTTP/2 with prior knowledge over TCP; h2: HTTP/2 over TLS (ALPN h2); grpc/grpcs: the
    // same transports with gRPC's semantics (errors as grpc-status, grpc-timeout deadlines).
    Type.Union([Type.Literal('http'), Type.Literal('https'), Type.Literal('h2c'), Type.Literal('h2'), Type.Literal('grpc'), Type.Literal('grpcs')], {
      default: 'http',
    }),
  ),
  passHost: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('node'), Type.Literal('rewrite')], { default: 'pass' })),
  upstreamHost: Type.Optional(Type.String({ minLength: 1 })),
  /** Extra attempts on another node; default: number of nodes - 1 (capped). */
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** What is retried: default ['error', 'timeout'] (connect failures and connect timeouts). */
  retryOn: Type.Optional(Type.Array(RetryCondition)),
  /** Seconds after which no further attempt starts (nginx proxy_next_upstream_timeout); none = no limit. */
  retryTimeout: Type.Optional(Seconds('time budget for retries, from the start of the request')),
  /**
   * How retries count and where they go. `next-upstream` (default, as nginx): a retry needs a node
   * not tried yet, a reused keep-alive socket the server reset goes again once for free, and only
   * connect timeouts are retried. `attempts` (Gateway API HTTPRouteRetry, as Envoy): `retries`
   * bounds every extra attempt, which prefers an untried node but may go back to a tried one (a
   * Service with one pod is retried too), `timeout` also covers the response timeout of a request
   * with no body, and a connection that failed or was reset answers 503.
   */
  retryMode: Type.Optional(Type.Union([Type.Literal('next-upstream'), Type.Literal('attempts')], { default: 'next-upstream' })),
  /** Pause before each retry (Gateway API `retry.backoff`); none = retry at once. */
  retryBackoff: Type.Optional(Seconds('delay before each retry')),
  timeout: Type.Optional(Timeouts),
  keepalivePool: Type.Optional(
    Type.Object(
      {
        size: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 320 })),
        idleTimeout: Type.Optional(Seconds('idle keep-alive lifetime', 60)),
        requests: Type.Optional(Type.Integer({ minimum: 1, default: 10_000 })),
      },
      { additionalProperties: false },
    ),
  ),
  checks: Type.Optional(Type.Object({ active: Type.Optional(ActiveCheck), passive: Type.Optional(PassiveCheck) }, { additionalProperties: false })),
  affinity: Type.Optional(
    Type.Object(
      {
        type: Type.Literal('cookie'),
        name: Type.Optional(Type.String({ minLength: 1, default: 'sluice_affinity' })),
        ttl: Type.Optional(Type.Integer({ minimum: 0, description: 'cookie Max-Age in seconds; 0 = session cookie' })),
        path: Type.Optional(Type.String({ default: '/' })),
      },
      { additionalProperties: false },
    ),
  ),
  tls: Type.Optional(
    Type.Object(
      {
        verify: Type.Optional(Type.Boolean({ default: false })),
        sni: Type.Optional(Type.String()),
        clientCert: Type.Optional(Type.String()),
        clientKey: Type.Optional(Type.String({ writeOnly: true, description: 'PEM private key of clientCert' })),
        ca: Type.Optional(Type.String()),
        /**
         * With `verify`: the certificate must carry at least one of these subject alternative
         * names, checked instead of the server name (Gateway API BackendTLSPolicy
         * `subjectAltNames`); `sni` is then only sent, not verified.
         */
        subjectAltNames: Type.Optional(
          Type.Array(
            Type.Object(
              { type: Type.Union([Type.Literal('Hostname'), Type.Literal('URI')]), value: Type.String({ minLength: 1, maxLength: 2048 }) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 64, description: 'with verify: names the certificate must carry one of, checked instead of the server name' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
};

/** The upstream body without identity, as used inline in a route. */
export const InlineUpstream = Type.Object(UpstreamFields, { additionalProperties: false });
export type InlineUpstream = Static<typeof InlineUpstream>;

export const Upstream = Type.Object({ ...metaFields, ...UpstreamFields }, { additionalProperties: false, title: 'Upstream' });
export type Upstream = Static<typeof Upstream>;
