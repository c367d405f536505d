import tls, { type PeerCertificate } from 'node:tls';
import type { Upstream } from '@sluice/model';

type WantedName = NonNullable<NonNullable<Upstream['tls']>['subjectAltNames']>[number];

/**
 * A `checkServerIdentity` for node:tls that accepts an upstream certificate when it carries at
 * least one of the wanted subject alternative names (BackendTLSPolicy `subjectAltNames`), in
 * place of the usual server-name check. Hostnames match DNS SANs as node:tls matches a server
 * name (wildcards included); URIs match URI SANs exactly.
 */
export function subjectAltNameCheck(wanted: readonly WantedName[]): (servername: string, cert: PeerCertificate) => Error | undefined {
  const hostnames = wanted.filter((w) => w.type === 'Hostname').map((w) => w.value);
  const uris = new Set(wanted.filter((w) => w.type === 'URI').map((w) => w.value));
  return (_servername, cert) => {
    const names = parseSubjectAltNames(cert.subjectaltname ?? '');
    if (names.some((n) => n.type === 'URI' && uris.has(n.value))) return undefined;
    // Only the DNS names count for a Hostname (never the subject CN), as the spec asks.
    const dnsOnly = {
      ...cert,
      subject: { ...cert.subject, CN: '' },
      subjectaltname: names
        .filter((n) => n.type === 'DNS')
        .map((n) => `DNS:${n.value}`)
        .join(', '),
    };
    if (dnsOnly.subjectaltname !== '' && hostnames.some((h) => tls.checkServerIdentity(h, dnsOnly as PeerCertificate) === undefined)) return undefined;
    const error = new Error(`upstream certificate matches none of the subject alternative names ${wanted.map((w) => w.value).join(', ')}`) as Error & {
      code: string;
    };
    error.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
    return error;
  };
}

/**
 * Node's `subjectaltname` text, e.g. `DNS:a.example.com, URI:spiffe://a/b, IP Address:127.0.0.1`,
 * as {type, value} pairs. Node writes a value holding a comma or quote as a JSON string.
 */
export function parseSubjectAltNames(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    i = colon + 1;
    let value: string;
    if (text[i] === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(i, end + 1)) as string;
      } catch {
        value = text.slice(i + 1, end);
      }
      i = end + 1;
    } else {
      const comma = text.indexOf(', ', i);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(i, end);
      i = end;
    }
    out.push({ type, value });
  }
  return out;
}
