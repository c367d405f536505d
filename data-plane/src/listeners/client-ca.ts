import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { SniCertificate } from '../compile/sni-index.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Why a client CA bundle cannot be used, or undefined. node:tls silently ignores PEM it cannot
 * parse, which would refuse every client without a word; each block is parsed here instead.
 */
export function clientCaProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return 'tls.clientCa holds no PEM certificate';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `tls.clientCa certificate ${i + 1} does not load: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** Contexts with a client CA, per certificate and CA: building one costs milliseconds, and snapshots repeat them. */
const derived = new WeakMap<SniCertificate, Map<string, SniCertificate>>();

/**
 * The certificate's TLS context plus a CA that verifies client certificates. Node verifies
 * clients against the store of the context the SNI callback chose, so the CA goes into each
 * of the listener's certificate contexts.
 */
export function withClientCa(cert: SniCertificate, ca: string, verify: 'on' | 'optional'): SniCertificate {
  let byCa = derived.get(cert);
  if (byCa === undefined) derived.set(cert, (byCa = new Map()));
  const key = `${verify}\n${ca}`;
  let out = byCa.get(key);
  if (out === undefined) {
    const options = { ...cert.options, ca };
    out = { id: cert.id, context: tls.createSecureContext(options), options, requireClientCert: verify === 'on', requestClientCert: true };
    byCa.set(key, out);
  }
  return out;
}
