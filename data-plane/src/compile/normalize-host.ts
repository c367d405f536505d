/**
 * Canonical form of a host for matching: lower case, no `:port`, no trailing dot.
 * IPv6 literals keep their brackets (`[::1]:8080` → `[::1]`); a bare IPv6 address
 * (`::1`, which a Host header should not carry) is bracketed so both spellings meet.
 * Returns undefined for an absent or empty host, which then only matches host-less routes.
 */
export function normalizeHost(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  let host = raw;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close > 0) host = host.slice(0, close + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.indexOf(':', colon + 1) >= 0 ? `[${host}]` : host.slice(0, colon);
  }
  if (host.length > 1 && host.charCodeAt(host.length - 1) === 0x2e /* . */) host = host.slice(0, -1);
  if (host.length === 0) return undefined;
  // toLowerCase hands back the same string when nothing changes, so the common case costs a scan.
  return host.toLowerCase();
}
