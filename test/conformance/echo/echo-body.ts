// The pure parts of the echo-basic emulation (README §7.1): the JSON body, Go's canonical header
// names, X-Echo-Set-Header parsing and Go durations.

export interface PodIdentity {
  namespace: string;
  pod: string;
  service: string;
  ingress: string;
}

export interface TlsInfo {
  version: string;
  serverName: string;
  negotiatedProtocol: string;
  cipherSuite: string;
  peerCertificates: string[];
}

export interface EchoedRequest {
  path: string;
  host: string;
  method: string;
  proto: string;
  /** Raw header pairs as received (name, value, name, value …), pseudo-headers excluded. */
  rawHeaders: string[];
  httpPort: string;
  tls?: TlsInfo;
}

/** Go's textproto.CanonicalMIMEHeaderKey: `x-echo-set-header` → `X-Echo-Set-Header`. */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split('-')
    .map((part) => (part ? part[0].toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

/** The echo JSON: `headers` maps canonical names to every value received, Host excluded. */
export function echoBody(req: EchoedRequest, id: PodIdentity) {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = canonicalHeaderName(req.rawHeaders[i]);
    if (name.startsWith(':') || name === 'Host') continue;
    (headers[name] ??= []).push(req.rawHeaders[i + 1]);
  }
  return {
    path: req.path,
    host: req.host,
    method: req.method,
    proto: req.proto,
    headers,
    namespace: id.namespace,
    ingress: id.ingress,
    service: id.service,
    pod: id.pod,
    httpPort: req.httpPort,
    ...(req.tls ? { tls: req.tls } : {}),
  };
}

/**
 * `X-Echo-Set-Header: Name1:val1,Name2:val2` → response headers; a name given twice gets its
 * values joined with `,`; the name's case is kept. Pairs without `:` are ignored.
 */
export function parseEchoSetHeader(value: string | undefined): [string, string][] {
  if (!value) return [];
  const out = new Map<string, [string, string]>();
  for (const pair of value.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue;
    const name = pair.slice(0, colon).trim();
    const v = pair.slice(colon + 1).trim();
    const key = name.toLowerCase();
    const existing = out.get(key);
    out.set(key, existing ? [existing[0], `${existing[1]},${v}`] : [name, v]);
  }
  return [...out.values()];
}

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration in milliseconds (`1s`, `300ms`, `1m30s`); undefined when invalid. */
export function parseGoDuration(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** The stdout line echo-basic prints per echoed request; the mirror checks count these. */
export const echoLogLine = (requestUri: string, remote: string) => `Echoing back request made to ${requestUri} to client (${remote})`;
