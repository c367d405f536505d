// Go's certificate name check (crypto/x509 VerifyHostname) for Node clients: Node refuses a
// wildcard with fewer than three labels (`*.org`), Go accepts it, and the suite's
// tls-validity-checks-certificate relies on `*.org` matching example.org.
import { createRequire } from 'node:module';
import tls from 'node:tls';

const require = createRequire(import.meta.url);

export function goMatchesHostname(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const pLabels = p.split('.');
  const hLabels = h.split('.');
  return pLabels.length === hLabels.length && pLabels.slice(1).every((label, i) => label === hLabels[i + 1]);
}

export function goCheckServerIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  const nodeVerdict = tls.checkServerIdentity(host, cert);
  if (!nodeVerdict) return undefined;
  const dnsNames = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  return dnsNames.some((name) => goMatchesHostname(name, host)) ? undefined : nodeVerdict;
}

/**
 * Go trusts a leaf certificate placed in the root pool (the suite trusts `tls-checks-certificate`,
 * a leaf, for some cases); OpenSSL only trusts CAs there. For a non-CA trust anchor the client
 * connects unverified and then requires the peer's certificate to be that very certificate.
 */
export function trustOptions(
  trustPem: string | undefined,
  serverName: string,
): {
  ca?: string;
  rejectUnauthorized: boolean;
  checkServerIdentity: typeof goCheckServerIdentity;
  verifyAfterHandshake?: (socket: tls.TLSSocket) => Error | undefined;
} {
  if (!trustPem) return { rejectUnauthorized: true, checkServerIdentity: goCheckServerIdentity };
  let anchor: import('node:crypto').X509Certificate | undefined;
  try {
    anchor = new (require('node:crypto') as typeof import('node:crypto')).X509Certificate(trustPem);
  } catch {
    anchor = undefined;
  }
  if (!anchor || anchor.ca) return { ca: trustPem, rejectUnauthorized: true, checkServerIdentity: goCheckServerIdentity };
  return {
    rejectUnauthorized: false,
    checkServerIdentity: goCheckServerIdentity,
    verifyAfterHandshake(socket) {
      const peer = socket.getPeerX509Certificate();
      if (!peer || !peer.raw.equals(anchor!.raw))
        return Object.assign(new Error('certificate signed by unknown authority'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      const dnsNames = (anchor!.subjectAltName ?? '')
        .split(', ')
        .filter((n) => n.startsWith('DNS:'))
        .map((n) => n.slice(4));
      return dnsNames.some((n) => goMatchesHostname(n, serverName))
        ? undefined
        : Object.assign(new Error(`certificate is not valid for ${serverName}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    },
  };
}
