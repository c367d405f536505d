import { createPrivateKey, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { Ssl } from '@sluice/model';
import type { Versioned } from '../config/types.js';
import { ServerNameMap } from './server-name-map.js';

/** One usable certificate: its ssl document and the TLS context built from it. */
export interface SniCertificate {
  id: string;
  /** Built on first use (the first handshake that picks this certificate), see loadCertificate. */
  readonly context: tls.SecureContext;
  /** What built `context`: the HTTPS server's default context (for clients that send no SNI) needs options. */
  options: tls.SecureContextOptions;
  /** The ssl document asks for client certificates signed by its `clientCa` (mTLS). */
  requireClientCert: boolean;
  /** The handshake asks for a client certificate (clientCa, or clientVerify optional*); only `requireClientCert` refuses. */
  requestClientCert: boolean;
}

/** Certificates by server name, compiled from the `ssls` documents of one snapshot. */
export interface SniIndex {
  lookup(serverName: string | undefined): SniCertificate | undefined;
  /** The `*` certificate, served when nothing else matches and to clients that send no SNI. */
  readonly fallback: SniCertificate | undefined;
  readonly size: number;
  /** Every certificate the index can hand out (each at least one name), oldest document first. */
  readonly certificates: readonly SniCertificate[];
}

export interface SniIndexResult {
  index: SniIndex;
  /** Every ssl document whose certificate loaded, by id, even those the index left out: listeners pick theirs by id. */
  certificates: ReadonlyMap<string, { cert: SniCertificate; snis: readonly string[] }>;
  /** ssl documents left out: `ssls/<id>` → reason. */
  rejected: Map<string, string>;
}

/** TLS 1.2+ with forward-secret AEAD suites only (TLS 1.3 suites are OpenSSL's defaults). */
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_SERVER_DEFAULTS = { minVersion: 'TLSv1.2', ciphers: CIPHERS, honorCipherOrder: true } as const;

/**
 * Compiles ssl documents into an SNI index. A document whose certificate or key does not load
 * is rejected alone; a name claimed twice goes to the older document. Certificates are kept
 * from one snapshot to the next per ssl id + modRevision.
 */
export function createSniIndexCompiler() {
  let cache = new Map<string, { modRevision: number; cert: SniCertificate }>();

  /** `listenerOnly`: ssl ids listeners use, which are not rejected when the main port's index has no room for them. */
  function compile(ssls: ReadonlyMap<string, Versioned<Ssl>>, listenerOnly: ReadonlySet<string> = new Set()): SniIndexResult {
    const next = new Map<string, { modRevision: number; cert: SniCertificate }>();
    const rejected = new Map<string, string>();
    const names = new ServerNameMap<SniCertificate>();
    const certificates = new Map<string, { cert: SniCertificate; snis: readonly string[] }>();
    const indexed: SniCertificate[] = [];
    const byAge = [...ssls].sort(([, a], [, b]) => a.createRevision - b.createRevision);
    for (const [id, { doc, modRevision }] of byAge) {
      if (doc.status === 'disabled') continue;
      let cached = cache.get(id);
      if (cached === undefined || cached.modRevision !== modRevision) {
        try {
          const options = contextOptions(doc);
          const verify = doc.clientVerify ?? (doc.clientCa !== undefined ? 'on' : undefined);
          const requireClientCert = doc.clientCa !== undefined && verify === 'on';
          const requestClientCert = verify === 'optional_no_ca' || (doc.clientCa !== undefined && verify !== undefined);
          cached = { modRevision, cert: loadCertificate(id, options, requireClientCert, requestClientCert) };
        } catch (err) {
          rejected.set(`ssls/${id}`, `certificate or key does not load: ${(err as Error).message}`);
          continue;
        }
      }
      next.set(id, cached);
      certificates.set(id, { cert: cached.cert, snis: doc.snis });
      const taken = doc.snis.filter((sni) => !names.add(sni, cached.cert));
      if (taken.length === doc.snis.length) {
        if (listenerOnly.has(id)) continue;
        rejected.set(`ssls/${id}`, `every SNI is served by an older ssl document: ${taken.join(', ')}`);
        continue;
      }
      indexed.push(cached.cert);
    }
    cache = next;
    return {
      index: { lookup: (serverName) => names.lookup(serverName), fallback: names.default, size: names.size, certificates: indexed },
      certificates,
      rejected,
    };
  }

  return { compile };
}

/**
 * Checks the PEM (every certificate of the chain and of the client CA parses, the key parses
 * and belongs to the leaf) and defers the SecureContext to its first handshake. Building a
 * context costs ~0.8 ms (OpenSSL parses everything again and sets the context up), a check
 * ~0.1 ms: at 1,000 certificates a cold start saves most of a second per worker, and a
 * certificate no client asks for never costs a context. What the check would miss makes the
 * context fail to build at that handshake, which fails (and is logged by the TLS front).
 */
function loadCertificate(id: string, options: tls.SecureContextOptions, requireClientCert: boolean, requestClientCert: boolean): SniCertificate {
  const chain = pemCertificates(String(options.cert));
  if (chain.length === 0) throw new Error('no PEM certificate');
  const leaf = new X509Certificate(chain[0]!);
  for (const pem of chain.slice(1)) new X509Certificate(pem);
  if (options.ca !== undefined) for (const pem of pemCertificates(String(options.ca))) new X509Certificate(pem);
  if (!leaf.checkPrivateKey(createPrivateKey(options.key as string))) throw new Error('the key does not belong to the certificate');
  let context: tls.SecureContext | undefined;
  return {
    id,
    get context() {
      return (context ??= tls.createSecureContext(options));
    },
    options,
    requireClientCert,
    requestClientCert,
  };
}

/** The PEM certificate blocks of a bundle. */
function pemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function contextOptions(doc: Ssl): tls.SecureContextOptions {
  return { ...TLS_SERVER_DEFAULTS, cert: doc.cert, key: doc.key, ...(doc.clientCa !== undefined ? { ca: doc.clientCa } : {}) };
}
