/**
 * Request-target normalization, done once before matching; the same path is forwarded
 * upstream, so the route is chosen on exactly the path the upstream resolves (Envoy's
 * normalize_path, merge_slashes and path_with_escaped_slashes_action; RFC 3986 §6.2.2 and
 * §5.2.4). The query string is never changed.
 */
import type { PathPolicy } from '../../compile/client-traffic.js';

export type NormalizedTarget =
  /** `path` (no query) and `query` (without `?`, '' when none) to match and forward. */
  | { kind: 'ok'; path: string; query: string /** The absolute-form authority, when the target had one. */; authority: string | undefined }
  /** The client should ask again at `location` (a path with escaped slashes, policy `redirect`). */
  | { kind: 'redirect'; location: string }
  /** 400: the target cannot be served (why, for the log). */
  | { kind: 'invalid'; reason: string };

const HEX = '0123456789ABCDEF';

/** ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3): decoding them never changes meaning. */
function isUnreserved(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Normalizes a request-target as received on the request line (or `:path`). Origin form
 * (`/path?query`) and absolute form (`http://authority/path?query`) are accepted; the
 * asterisk and authority forms are not served (400). The fast path — a path with no `%`,
 * `\`, `//` and no dot segment — allocates nothing but the split at `?`.
 */
export function normalizeTarget(target: string, policy: PathPolicy): NormalizedTarget {
  let authority: string | undefined;
  let start = 0;
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    const absolute = absoluteForm(target);
    if (absolute === undefined) return { kind: 'invalid', reason: 'request-target is neither origin-form nor absolute-form' };
    authority = absolute.authority;
    start = absolute.pathStart;
    if (start === target.length) return { kind: 'ok', path: '/', query: '', authority };
    if (target.charCodeAt(start) === 0x3f /* ? */) return { kind: 'ok', path: '/', query: target.slice(start + 1), authority };
  }
  let end = target.indexOf('?', start);
  if (end < 0) end = target.length;
  const query = end < target.length ? target.slice(end + 1) : '';
  if (needsWork(target, start, end)) return slowPath(target, start, end, query, authority, policy);
  return { kind: 'ok', path: start === 0 && end === target.length ? target : target.slice(start, end), query, authority };
}

/** Anything that the slow path could change or refuse: `%`, `\`, `#`, `//`, a `.` that starts a segment, a control character. */
function needsWork(s: string, start: number, end: number): boolean {
  let prev = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */ || c === 0x5c /* \ */ || c === 0x23 /* # */) return true;
    if (prev === 0x2f && (c === 0x2f || c === 0x2e)) return true;
    if (c < 0x21 || c === 0x7f) return true;
    prev = c;
  }
  return false;
}

function slowPath(target: string, start: number, end: number, query: string, authority: string | undefined, policy: PathPolicy): NormalizedTarget {
  // 1. Percent-encoding: unreserved characters decoded, other escapes in upper case, slashes per policy.
  let out = '';
  let escapedSlash = false;
  for (let i = start; i < end; i++) {
    const c = target.charCodeAt(i);
    if (c < 0x21 || c === 0x7f) return { kind: 'invalid', reason: 'a control character or space in the path' };
    // A fragment is never sent (RFC 9110 §4.2.5); one in a path is an attempt to confuse.
    if (c === 0x23) return { kind: 'invalid', reason: 'a fragment in the request-target' };
    if (c === 0x5c /* \ */) {
      // Some servers read a backslash as a slash: make it one, so both readings agree.
      out += '/';
      continue;
    }
    if (c !== 0x25) {
      out += target[i];
      continue;
    }
    const hi = hexValue(target.charCodeAt(i + 1));
    const lo = hexValue(target.charCodeAt(i + 2));
    if (i + 2 >= end || hi < 0 || lo < 0) return { kind: 'invalid', reason: 'a malformed percent-escape in the path' };
    const byte = hi * 16 + lo;
    i += 2;
    if (byte < 0x20 || byte === 0x7f) return { kind: 'invalid', reason: 'an encoded control character in the path' };
    if (byte === 0x2f || byte === 0x5c) {
      escapedSlash = true;
      if (policy.escapedSlashes === 'reject') return { kind: 'invalid', reason: 'an encoded slash (%2F or %5C) in the path' };
      if (policy.escapedSlashes === 'keep') out += byte === 0x2f ? '%2F' : '%5C';
      else out += '/';
      continue;
    }
    if (isUnreserved(byte)) out += String.fromCharCode(byte);
    else out += '%' + HEX[hi] + HEX[lo];
  }
  // 2. Merged slashes and 3. dot segments (RFC 3986 §5.2.4), on the decoded path.
  if (hasParameterizedDotSegment(out)) return { kind: 'invalid', reason: 'a dot segment with parameters (..;)' };
  const path = removeDotSegments(out, policy.mergeSlashes);
  if (escapedSlash && policy.escapedSlashes === 'redirect') {
    return { kind: 'redirect', location: query.length > 0 ? `${path}?${query}` : path };
  }
  return { kind: 'ok', path, query, authority };
}

/**
 * RFC 3986 §5.2.4 on an absolute path, segment by segment: `.` dropped, `..` removes the
 * segment before it (never climbing above the root); empty segments are dropped when
 * `mergeSlashes`. A trailing `.`, `..` or slash keeps the path ending in `/`.
 */
export function removeDotSegments(path: string, mergeSlashes: boolean): string {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  let trailingSlash = false;
  // segments[0] is '' (the path starts with '/').
  for (let i = 1; i <= last; i++) {
    const seg = segments[i];
    if (seg === '.' || seg === '..') {
      if (seg === '..') out.pop();
      trailingSlash = i === last;
      continue;
    }
    if (seg === '' && (mergeSlashes || i === last)) {
      trailingSlash = i === last;
      continue;
    }
    out.push(seg);
    trailingSlash = false;
  }
  const joined = '/' + out.join('/');
  return trailingSlash && out.length > 0 ? joined + '/' : joined;
}

/**
 * `/..;x/` and `/.;x/`: not dot segments to RFC 3986, but servlet containers (Tomcat, Jetty)
 * strip the `;` parameters first and then climb: a route chosen on `/public/..;/private`
 * would reach `/private`. Nothing legitimate is spelled this way, so it is refused.
 */
function hasParameterizedDotSegment(path: string): boolean {
  for (let i = path.indexOf('/.'); i >= 0; i = path.indexOf('/.', i + 1)) {
    const next = path.charCodeAt(i + 2);
    if (next === 0x3b /* ; */ || (next === 0x2e && path.charCodeAt(i + 3) === 0x3b)) return true;
  }
  return false;
}

/** `http://authority/…` or `https://authority/…` (scheme case-insensitive): where the authority and the path start. */
function absoluteForm(target: string): { authority: string; pathStart: number } | undefined {
  const schemeEnd = target.indexOf('://');
  if (schemeEnd < 0) return undefined;
  const scheme = target.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const authorityStart = schemeEnd + 3;
  let pathStart = authorityStart;
  while (pathStart < target.length) {
    const c = target.charCodeAt(pathStart);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    pathStart++;
  }
  const authority = target.slice(authorityStart, pathStart);
  // userinfo in a request-target is deprecated (RFC 9110 §4.2.4) and a classic confusion trick.
  if (authority.length === 0 || authority.includes('@')) return undefined;
  return { authority, pathStart };
}
