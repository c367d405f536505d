import { Type, type Static } from '@sinclair/typebox';
import { Id, metaFields } from './meta.js';

/**
 * A place the data plane listens on, declared by a Gateway API Gateway listener: an address
 * (absent = all), a port and a protocol. Routes that name a listener in `listeners` are served
 * only there; routes that name none keep using --http-port / --https-port (DESIGN.md "Listeners").
 */
export const Listener = Type.Object(
  {
    ...metaFields,
    /** The Gateway that declares it. */
    gateway: Type.Object(
      { namespace: Type.String({ minLength: 1, maxLength: 253 }), name: Type.String({ minLength: 1, maxLength: 253 }) },
      { additionalProperties: false },
    ),
    /**
     * The Gateway's `spec.infrastructure.annotations` (its `labels` go to `labels`): a listener is
     * what Sluice generates for a Gateway, so it carries the metadata meant for generated parts.
     */
    annotations: Type.Optional(Type.Record(Type.String({ maxLength: 253 }), Type.String({ maxLength: 4096 }), { maxProperties: 64 })),
    /** IP to bind (the Gateway's address); absent = all addresses. */
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 45 })),
    /** The declared port (a data plane may map it, e.g. --port-map 80:18080). */
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    protocol: Type.Union([Type.Literal('HTTP'), Type.Literal('HTTPS'), Type.Literal('TLS'), Type.Literal('TCP'), Type.Literal('UDP')]),
    /** Exact or `*.suffix` wildcard: only requests (or SNIs) for it are served here. */
    hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    tls: Type.Optional(
      Type.Object(
        {
          mode: Type.Union([Type.Literal('Terminate'), Type.Literal('Passthrough')]),
          /** Ssl documents offered on this listener (Terminate), chosen by SNI. */
          sslIds: Type.Optional(Type.Array(Id, { maxItems: 64 })),
          /** PEM CA bundle: clients must present a certificate it signed. */
          clientCa: Type.Optional(Type.String({ pattern: '-----BEGIN ' })),
          /**
           * With clientCa: `on` (default) fails the handshake without a valid client certificate;
           * `optional` asks for one but lets every client in (Gateway API AllowInsecureFallback).
           */
          clientVerify: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('optional')])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'Listener' },
);
export type Listener = Static<typeof Listener>;
