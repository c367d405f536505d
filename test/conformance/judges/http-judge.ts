// How the suite judges one HTTP round trip (README §3.1, CompareRoundTrip): pure.
import type { HttpExpect } from '../cases-file.js';
import type { HttpReply } from '../clients/http-client.js';

export interface SentRequest {
  method: string;
  /** The Host header sent, or null when the suite sent the gateway address. */
  host: string | null;
  path: string;
  headers: Record<string, string>;
  scheme: 'http' | 'https';
}

export interface EchoJson {
  path?: string;
  host?: string;
  method?: string;
  headers?: Record<string, string[]>;
  namespace?: string;
  pod?: string;
  httpPort?: string;
  tls?: { serverName?: string; peerCertificates?: string[] };
}

/** The echo JSON, read only when Content-Type is exactly application/json (README §9.1). */
export function echoedRequest(reply: HttpReply): EchoJson {
  if (reply.headers['content-type'] !== 'application/json') return {};
  try {
    return JSON.parse(reply.body) as EchoJson;
  } catch {
    return {};
  }
}

export function statusAccepted(expected: number[], actual: number): boolean {
  if (expected.includes(actual)) return true;
  const timeout = [408, 504];
  return timeout.includes(actual) && expected.some((s) => timeout.includes(s));
}

const strip = (s: string, ignoreWs: boolean) => (ignoreWs ? s.replace(/\s+/g, '') : s);
const normPem = (s: string) => s.replace(/\s+/g, '');

function echoedHeader(echo: EchoJson, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(echo.headers ?? {})) if (k.toLowerCase() === lower) return v.join(',');
  return undefined;
}

/** Undefined when the reply satisfies `expect`, else why not. */
export function judgeHttp(
  expect: HttpExpect,
  sent: SentRequest,
  reply: HttpReply,
  peerCertificatePem?: (ref: { namespace: string; name: string }) => string | undefined,
): string | undefined {
  const statuses = expect.status ?? [200];
  if (!statusAccepted(statuses, reply.status)) return `expected status ${statuses.join('/')}, got ${reply.status}`;
  if (reply.status === 200 || reply.status === 204) {
    const echo = echoedRequest(reply);
    if (expect.backend) {
      if ((echo.namespace ?? '') !== expect.backend.namespace)
        return `expected backend namespace ${JSON.stringify(expect.backend.namespace)}, got ${JSON.stringify(echo.namespace ?? '')}${echo.namespace === undefined ? ` (content-type ${reply.headers['content-type'] ?? 'none'})` : ''}`;
      if (!(echo.pod ?? '').startsWith(expect.backend.pod_prefix)) return `expected pod ${expect.backend.pod_prefix}*, got ${JSON.stringify(echo.pod ?? '')}`;
    }
    const br = expect.backend_request;
    if (br) {
      const method = echo.method ?? sent.method;
      if (br.method && br.method !== method) return `backend saw method ${method}, expected ${br.method}`;
      if (br.path !== undefined && (echo.path ?? '') !== br.path)
        return `backend saw path ${JSON.stringify(echo.path ?? '')}, expected ${JSON.stringify(br.path)}`;
      const expectedHost = br.host ?? (expect.backend_request_source === 'defaulted_from_request' ? sent.host : null);
      if (expectedHost && (echo.host ?? '') !== expectedHost)
        return `backend saw host ${JSON.stringify(echo.host ?? '')}, expected ${JSON.stringify(expectedHost)}`;
      const expectedHeaders = br.headers ?? (expect.backend_request_source === 'defaulted_from_request' ? sent.headers : {});
      for (const [name, value] of Object.entries(expectedHeaders)) {
        const got = echoedHeader(echo, name);
        if (got === undefined) return `backend did not receive header ${name}`;
        if (got !== value) return `backend saw ${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`;
      }
      for (const name of br.headers_absent ?? []) if (echoedHeader(echo, name) !== undefined) return `backend received header ${name}, which should be absent`;
      if (br.http_port !== undefined && echo.httpPort !== br.http_port) return `backend port ${echo.httpPort}, expected ${br.http_port}`;
      if (br.tls_server_name !== undefined && (echo.tls?.serverName ?? '') !== br.tls_server_name)
        return `backend TLS SNI ${JSON.stringify(echo.tls?.serverName ?? '')}, expected ${JSON.stringify(br.tls_server_name)}`;
      if (br.tls_peer_certificate) {
        const pem = peerCertificatePem?.(br.tls_peer_certificate);
        const peers = (echo.tls?.peerCertificates ?? []).map(normPem);
        if (!pem || !peers.includes(normPem(pem)))
          return `backend did not see client certificate ${br.tls_peer_certificate.namespace}/${br.tls_peer_certificate.name}`;
      }
    }
    const ignoreWs = !!expect.ignore_whitespace_in_header_values;
    for (const [name, value] of Object.entries(expect.response_headers ?? {})) {
      const got = reply.headers[name.toLowerCase()];
      if (got === undefined) return `response header ${name} missing`;
      if (strip(got, ignoreWs) !== strip(value, ignoreWs)) return `response header ${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`;
    }
    for (const [name, values] of Object.entries(expect.response_headers_one_of ?? {})) {
      const got = reply.headers[name.toLowerCase()];
      if (got === undefined || !values.some((v) => strip(v, ignoreWs) === strip(got, ignoreWs)))
        return `response header ${name}: ${JSON.stringify(got)}, expected one of ${JSON.stringify(values)}`;
    }
    for (const name of expect.response_headers_absent ?? [])
      if (reply.headers[name.toLowerCase()] !== undefined) return `response header ${name} should be absent`;
  }
  if (reply.status >= 300 && reply.status < 400 && expect.redirect) {
    const r = expect.redirect;
    const location = reply.headers['location'];
    if (!location) return `redirect without Location`;
    let url: URL;
    try {
      url = new URL(location, `${sent.scheme}://${sent.host ?? 'gateway'}/`);
    } catch {
      return `unparsable Location ${location}`;
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (scheme !== (r.scheme ?? sent.scheme)) return `Location scheme ${scheme}, expected ${r.scheme ?? sent.scheme} (${location})`;
    if (r.host !== null && url.hostname !== r.host) return `Location host ${url.hostname}, expected ${r.host} (${location})`;
    // URL drops a port equal to the scheme default; the raw text says whether one was written.
    const rawPort = /^[a-z]+:\/\/[^/?#]*?:(\d+)(?:[/?#]|$)/i.exec(location)?.[1] ?? '';
    if (!r.allowed_ports.includes(rawPort)) return `Location port ${JSON.stringify(rawPort)}, expected one of ${JSON.stringify(r.allowed_ports)} (${location})`;
    if (r.path !== null && url.pathname !== r.path) return `Location path ${url.pathname}, expected ${r.path} (${location})`;
  }
  return undefined;
}
