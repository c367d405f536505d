import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';
import { BackendRef, PluginMap } from './route.js';
import { InlineUpstream } from './upstream.js';
import { Id } from './meta.js';

export const StreamRoute = Type.Object(
  {
    ...metaFields,
    protocol: Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('tls')]),
    listenPort: Type.Integer({ minimum: 1, maximum: 65_535 }),
    /** TLS passthrough: route on the SNI of the ClientHello without terminating. */
    sni: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    /** Client allow list (IPs or CIDRs); empty = everyone. */
    remoteAddrs: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 1000 })),
    backends: Type.Optional(Type.Array(BackendRef, { maxItems: 100 })),
    upstream: Type.Optional(InlineUpstream),
    /** Idle timeout in seconds. */
    timeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
    proxyProtocol: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v2')])),
    /**
     * A load balancer in front speaks PROXY protocol (v1 or v2) to this port: every connection
     * must start with a header, whose client address is used for `remoteAddrs` and passed on.
     * TCP and TLS only; all routes on one port must agree.
     */
    acceptProxyProtocol: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Expect a PROXY protocol v1/v2 header from a load balancer at the start of each connection (tcp, tls); connections without one are closed',
      }),
    ),
    plugins: Type.Optional(PluginMap),
    status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], { default: 'enabled' })),
    /** The listener document (Gateway listener) this stream route is served on; its address and TLS mode apply. */
    listener: Type.Optional(Id),
  },
  { additionalProperties: false, title: 'StreamRoute' },
);
export type StreamRoute = Static<typeof StreamRoute>;
