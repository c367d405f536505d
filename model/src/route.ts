import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';
import { InlineUpstream, Timeouts } from './upstream.js';
import { Id } from './meta.js';

export const PathMatch = Type.Object(
  {
    /** exact; prefix (segment-aware: /foo matches /foo, /foo/, /foo/bar, never /foobar); regex (must match the whole path). */
    type: Type.Union([Type.Literal('exact'), Type.Literal('prefix'), Type.Literal('regex')]),
    value: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type PathMatch = Static<typeof PathMatch>;

/** A header or query-parameter condition. `value` is required for exact and regex. */
export const ValueMatch = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    type: Type.Optional(
      Type.Union([Type.Literal('exact'), Type.Literal('regex'), Type.Literal('present'), Type.Literal('absent')], {
        default: 'exact',
      }),
    ),
    value: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type ValueMatch = Static<typeof ValueMatch>;
export type HeaderMatch = ValueMatch;

export const HttpMethod = Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PURGE'].map((m) => Type.Literal(m)));

export const RouteMatch = Type.Object(
  {
    /** Exact hosts or `*.suffix` wildcards, matched case-insensitively without the port. Empty = any host. */
    hosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 1000 })),
    /**
     * How a `*.suffix` wildcard matches: `suffix` (Gateway API: any depth, the default) or
     * `single-label` (Ingress: `*.foo.com` matches `bar.foo.com`, not `baz.bar.foo.com`).
     */
    hostWildcard: Type.Optional(Type.Union([Type.Literal('suffix'), Type.Literal('single-label')])),
    /** Empty = every path (as prefix `/`). */
    paths: Type.Optional(Type.Array(PathMatch, { maxItems: 1000 })),
    methods: Type.Optional(Type.Array(HttpMethod, { maxItems: 16 })),
    headers: Type.Optional(Type.Array(ValueMatch, { maxItems: 64 })),
    query: Type.Optional(Type.Array(ValueMatch, { maxItems: 64 })),
    /** Explicit tie-breaker after specificity: higher wins. */
    priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    /**
     * Tie-breaker after `priority`: among routes alike in specificity and priority, the smaller
     * key (compared character by character, printable ASCII) wins, and a route without one comes
     * after those that have one. A source encodes its own order here, from the route alone, so
     * the key never changes when other routes come or go (the Gateway API translation writes
     * creation time, namespace/name, rule and match index).
     */
    precedenceKey: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[\\x20-\\x7e]+$' })),
  },
  { additionalProperties: false },
);
export type RouteMatch = Static<typeof RouteMatch>;

export const BackendRef = Type.Object(
  {
    upstreamId: Id,
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1 })),
  },
  { additionalProperties: false },
);
export type BackendRef = Static<typeof BackendRef>;

export const PluginMap = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), Type.Unknown());
export type PluginMap = Static<typeof PluginMap>;

export const Route = Type.Object(
  {
    ...metaFields,
    match: Type.Optional(RouteMatch),
    /** Route-level priority (same meaning as match.priority; match.priority wins when both are set). */
    priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    /** Weighted split between upstreams; one entry is the plain case. */
    backends: Type.Optional(Type.Array(BackendRef, { maxItems: 100 })),
    /** An upstream written inline instead of `backends`. */
    upstream: Type.Optional(InlineUpstream),
    plugins: Type.Optional(PluginMap),
    pluginConfigId: Type.Optional(Id),
    /** A service document whose hosts, upstream, plugins and websocket setting fill in what this route leaves out. */
    serviceId: Type.Optional(Id),
    /** Seconds; defaults 5 / 60 / 60. An explicit read is also the idle timeout of WebSocket connections. */
    timeout: Type.Optional(Timeouts),
    /** Proxy WebSocket upgrades on this route (default true). */
    websocket: Type.Optional(Type.Boolean({ default: true })),
    status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], { default: 'enabled' })),
    /** Listener documents this route is served on; absent = the default HTTP/HTTPS ports. */
    listeners: Type.Optional(Type.Array(Id, { maxItems: 64 })),
  },
  { additionalProperties: false, title: 'Route' },
);
export type Route = Static<typeof Route>;
