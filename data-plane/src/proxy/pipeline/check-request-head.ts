import type { IncomingHttpHeaders } from 'node:http';
import type { ClientTraffic } from '../../compile/client-traffic.js';
import type { RequestHead } from '../front/client-side.js';
import { requestHeaders } from '../front/request-headers.js';

/**
 * What RFC 9112 §3.2 and RFC 9110 §7.2 ask of a request's host, and the client-traffic rule
 * for header names with underscores, checked before routing on every protocol. Returns why
 * the request must be refused (400), or undefined; header names with underscores are dropped
 * from `req` in place when the policy says so.
 */
export function checkRequestHead(req: RequestHead, policy: ClientTraffic): string | undefined {
  const raw = req.rawHeaders;
  let hosts = 0;
  let underscores = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
    else if (name.indexOf('_') >= 0) underscores = true;
  }
  // One Host, no more (§3.2: "MUST respond with a 400"); HTTP/1.1 requires one, HTTP/1.0 may omit it.
  if (hosts > 1) return 'more than one Host';
  if (hosts === 0 && req.http11 && !req.http2) return 'no Host in an HTTP/1.1 request';
  const host = req.host;
  if (host !== undefined && !isValidHost(host)) return 'a Host that is not a host[:port]';
  if (underscores) {
    if (policy.headersWithUnderscores === 'reject') return 'a header name with an underscore';
    if (policy.headersWithUnderscores === 'drop') dropUnderscoreHeaders(req);
  }
  return undefined;
}

/**
 * An absolute-form target names the host itself (RFC 9112 §3.2.2): it is the request's host,
 * and a Host header beside it must name the same authority. Returns why not, or undefined.
 */
export function takeAbsoluteAuthority(req: RequestHead, authority: string): string | undefined {
  if (!isValidHost(authority)) return 'an absolute-form target whose authority is not a host[:port]';
  if (req.host !== undefined && req.host.toLowerCase() !== authority.toLowerCase()) return 'an absolute-form target whose authority is not the Host';
  req.host = authority;
  return undefined;
}

/**
 * `reg-name` / IPv4 / `[IPv6]`, then an optional `:port` (RFC 3986 §3.2.2, restricted to what
 * DNS names and addresses use: letters, digits, `-`, `.`, `_`). Empty is allowed (RFC 9110:
 * a target without an authority). Spaces, commas, slashes and `@` never are.
 */
export function isValidHost(host: string): boolean {
  const n = host.length;
  let i = 0;
  if (n > 0 && host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close < 2) return false;
    for (let j = 1; j < close; j++) {
      const c = host.charCodeAt(j);
      if (!(isHexDigit(c) || c === 0x3a || c === 0x2e)) return false;
    }
    i = close + 1;
  } else {
    for (; i < n; i++) {
      const c = host.charCodeAt(i);
      if (c === 0x3a /* : */) break;
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f)) return false;
    }
  }
  if (i === n) return true;
  if (host.charCodeAt(i) !== 0x3a || i + 1 === n || n - i - 1 > 5) return false;
  for (let j = i + 1; j < n; j++) {
    const c = host.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** nginx's `underscores_in_headers off`: such headers are ignored entirely, by plugins and matchers too. */
function dropUnderscoreHeaders(req: RequestHead): void {
  const kept: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].indexOf('_') < 0) kept.push(raw[i], raw[i + 1]);
  req.rawHeaders = kept;
  const headers: IncomingHttpHeaders = requestHeaders(kept);
  // HTTP/2's parsed view says "chunked" for a streamed body without being in rawHeaders: keep it.
  if (req.http2 && req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = req.headers['transfer-encoding'];
  req.headers = headers;
}
