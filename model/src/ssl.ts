import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';

export const Ssl = Type.Object(
  {
    ...metaFields,
    /** Server names, exact or `*.suffix` wildcard; an exact name beats a wildcard. */
    snis: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: 1000 }),
    cert: Type.String({ minLength: 1, pattern: '-----BEGIN ' }),
    /** The private key: write-only (answers carry SECRET_PLACEHOLDER). */
    key: Type.String({ minLength: 1, pattern: '-----BEGIN ', writeOnly: true }),
    /** PEM CA bundle: when set, clients must present a certificate it signed (mTLS). */
    clientCa: Type.Optional(Type.String({ pattern: '-----BEGIN ' })),
    /**
     * How client certificates are checked (nginx ssl_verify_client): `on` (default with
     * clientCa) refuses clients without a certificate clientCa signed; `optional` asks for one
     * and lets every client in, the outcome going to the client-cert-headers plugin;
     * `optional_no_ca` asks for one without checking who signed it.
     */
    clientVerify: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('optional'), Type.Literal('optional_no_ca')])),
    status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], { default: 'enabled' })),
  },
  { additionalProperties: false, title: 'Ssl' },
);
export type Ssl = Static<typeof Ssl>;
